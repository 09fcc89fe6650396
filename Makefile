# The few entry points a person types. JDK 25 is found here so that nobody has to export
# JAVA_HOME on a machine whose default java is older.
SHELL := /bin/bash
JDK25 := $(firstword $(wildcard /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25*))
export JAVA_HOME := $(if $(JDK25),$(JDK25),$(JAVA_HOME))
PYTHON ?= /usr/bin/python3
DATASET ?= ml-1m
MVN := ./mvnw -B

.PHONY: run app test test-java test-python test-observability deps fmt build model suite bench screenshots import
REDIS_HOST ?= 127.0.0.1
REDIS_PORT ?= 6379

## run: start the service on the committed bundle with the embedded history source (no Redis)
run: app
	$(JAVA_HOME)/bin/java @deploy/jvm.options -XX:AOTCache=$(APP)/app.aot -jar $(APP)/app.jar

## app: the service jar extracted (its libraries beside it, as the AOT cache needs) plus a JDK 25 AOT
## cache written by one training run up to readiness; about halves start-to-ready (docs/startup.md)
APP := ranking-service/target/app
app: build
	rm -rf $(APP)
	$(JAVA_HOME)/bin/java -Djarmode=tools -jar $$(ls ranking-service/target/ranking-service-*.jar | head -1) \
	  extract --destination $(APP)
	mv $(APP)/ranking-service-*.jar $(APP)/app.jar
	$(PYTHON) deploy/checks/startup.py --train $(APP)/app.aot --jar $(APP)/app.jar

build:
	$(MVN) -q -DskipTests install

## test: install missing system packages, then run every test (Python and Java)
test: deps test-python test-java test-observability

deps:
	@.ci/deps

test-python:
	black --check -q model-artifacts deploy/checks ranking-service/bench_ratios.py ranking-service/scoring_graph.py
	cd model-artifacts && OPENBLAS_NUM_THREADS=1 $(PYTHON) -m pytest -q tests

# The Redis tests start real servers themselves; the build fails if they did not all run.
test-java:
	$(MVN) verify
	$(PYTHON) deploy/checks/redis_tests_ran.py

# The built service scraped by a real Prometheus: dashboard and alert queries must find their metrics.
test-observability:
	$(PYTHON) deploy/checks/observability.py

## import: load DATASET's histories and user features into Redis (REDIS_HOST, REDIS_PORT; DATA=folder
## overrides ../shared/datasets/DATASET; IMPORT_ARGS for more, e.g. --cluster); idempotent
import:
	cd model-artifacts && $(PYTHON) -m hcn.redis_import --dataset $(DATASET) --host $(REDIS_HOST) \
	  --port $(REDIS_PORT) $(if $(DATA),--path $(abspath $(DATA))) $(IMPORT_ARGS)

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

## screenshots: the explorer page in headless Chromium, demo user 42 on the default bundle and on the
## synthetic bundle (generated when missing), written to docs/ for the README
SYNTHETIC := model-artifacts/bundles/synthetic-200k
screenshots: deps $(SYNTHETIC)/manifest.json
	$(MVN) -q -pl ranking-service test -Dtest=ExplorerBrowserTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dhcn.explorer.screenshot=$(CURDIR)/docs/explorer-hcn-ml1m.png
	$(MVN) -q -pl ranking-service test -Dtest=ExplorerBrowserTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dhcn.test.bundle=$(CURDIR)/$(SYNTHETIC) -Dhcn.explorer.screenshot=$(CURDIR)/docs/explorer-synthetic.png

$(SYNTHETIC)/manifest.json:
	cd model-artifacts && OPENBLAS_NUM_THREADS=1 $(PYTHON) -m hcn.synthetic --out bundles/synthetic-200k

fmt:
	$(MVN) -q spotless:apply
	black -q model-artifacts deploy/checks ranking-service/bench_ratios.py ranking-service/scoring_graph.py
