# The few entry points a person types. JDK 25 is found here so that nobody has to export
# JAVA_HOME on a machine whose default java is older.
SHELL := /bin/bash
JDK25 := $(firstword $(wildcard /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25*))
export JAVA_HOME := $(if $(JDK25),$(JDK25),$(JAVA_HOME))
PYTHON ?= /usr/bin/python3
DATASET ?= ml-1m
MVN := ./mvnw -B

.PHONY: run test test-java test-python test-observability deps fmt build model suite bench

## run: start the service on the committed bundle with the embedded history source (no Redis)
run: build
	$(MVN) -q -pl ranking-service spring-boot:run

build:
	$(MVN) -q -DskipTests install

## test: install missing system packages, then run every test (Python and Java)
test: deps test-python test-java test-observability

deps:
	@.ci/deps

test-python:
	black --check -q model-artifacts deploy/checks ranking-service/bench_ratios.py ranking-service/scoring_graph.py
	cd model-artifacts && OPENBLAS_NUM_THREADS=1 $(PYTHON) -m pytest -q tests

test-java:
	$(MVN) verify

# The built service scraped by a real Prometheus: dashboard and alert queries must find their metrics.
test-observability:
	$(PYTHON) deploy/checks/observability.py

## bench: JMH benchmark of the scoring kernels (vector, scalar, floors, ONNX Runtime graph) with ratios
bench:
	PYTHON=$(PYTHON) ranking-service/bench.sh

## model: train HCN on ML-1M (all users of ../shared/datasets/ml-1m) and export the default bundle
model:
	cd model-artifacts && OPENBLAS_NUM_THREADS=1 $(PYTHON) -m hcn.train --dataset ml-1m --out runs/hcn-ml1m
	cd model-artifacts && OPENBLAS_NUM_THREADS=1 $(PYTHON) -m hcn.export --run runs/hcn-ml1m --out bundles/hcn-ml1m --name hcn-ml1m

## suite: every model x 3 seeds against the paper's baselines on DATASET (ml-1m | ml-100k); resumable
suite:
	cd model-artifacts && OPENBLAS_NUM_THREADS=1 $(PYTHON) -m hcn.suite --dataset $(DATASET)

fmt:
	$(MVN) -q spotless:apply
	black -q model-artifacts deploy/checks ranking-service/bench_ratios.py ranking-service/scoring_graph.py
