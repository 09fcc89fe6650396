# syntax=docker/dockerfile:1
# Build stage: the Maven wrapper with JDK 25 builds the service jar (tests run in CI, not here).
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY ranking-service/pom.xml ranking-service/pom.xml
COPY loadtest/pom.xml loadtest/pom.xml
RUN ./mvnw -B -q -pl ranking-service -am dependency:go-offline -DexcludeReactor=true || true
COPY ranking-service ranking-service
COPY loadtest loadtest
# The history source the jar's Spring AOT context is built for (ADR 0007): unset builds it for the
# default, embedded; docker-compose.yml passes redis. A start on another source still works, the
# ordinary (slower) way.
ARG HCN_HISTORY_SOURCE
RUN if [ -z "${HCN_HISTORY_SOURCE:-}" ]; then unset HCN_HISTORY_SOURCE; fi \
 && ./mvnw -B -q -pl ranking-service -am -DskipTests package \
 && java -Djarmode=tools -jar ranking-service/target/ranking-service-*.jar extract --destination /src/app \
 && mv /src/app/ranking-service-*.jar /src/app/app.jar

# Runtime stage: a JRE, the extracted jar (its libraries beside it, which the AOT cache needs), the
# committed model bundle and a JDK 25 AOT cache. ONNX Runtime's native library needs glibc, which
# the Ubuntu-based Temurin image has.
FROM eclipse-temurin:25-jre
RUN groupadd --system hcn && useradd --system --gid hcn --home /app hcn
WORKDIR /app
COPY --from=build /src/app /app
COPY model-artifacts/bundles/hcn-ml1m /app/bundles/hcn-ml1m
# REST, gRPC and the management port (health, metrics).
EXPOSE 8080 9090 8081
ENV HCN_MODEL_BUNDLEPATH=/app/bundles/hcn-ml1m \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# The service's JVM options (collector, compiler thresholds, the modules it needs), as `make run`.
COPY deploy/jvm.options /app/jvm.options
# AOT cache training run (docs/startup.md): start on this image's own JRE and flags up to readiness,
# then SIGTERM; the JVM writes /app/app.aot as it exits. Serving with it about halves the CPU work
# to readiness; were it missing or stale, the JVM would only warn and start without it. It runs on
# the history source the jar was built for (with no Redis here, rankings fall back; readiness does
# not wait for the store).
ARG HCN_HISTORY_SOURCE
RUN ["bash", "-c", "if [ -z \"${HCN_HISTORY_SOURCE:-}\" ]; then unset HCN_HISTORY_SOURCE; fi; java @/app/jvm.options -XX:AOTCacheOutput=/app/app.aot -jar /app/app.jar --hcn.drain.readiness-delay=0s & pid=$!; for i in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3) 2>/dev/null && break; sleep 0.5; done; kill -TERM $pid; wait $pid; test -s /app/app.aot"]
USER hcn
# Readiness over bash's /dev/tcp (the JRE image has no curl): the management port answers even when
# the API port is saturated.
HEALTHCHECK --interval=5s --timeout=2s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
# jvm.options carries the flags the Vector API (incubator) and ONNX Runtime's native access need.
ENTRYPOINT ["java", "@/app/jvm.options", "-XX:AOTCache=/app/app.aot", "-jar", "/app/app.jar"]
