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
RUN ./mvnw -B -q -pl ranking-service -am -DskipTests package \
 && cp ranking-service/target/ranking-service-*.jar /src/app.jar

# Runtime stage: a JRE, the jar and the committed model bundle. ONNX Runtime's native library needs
# glibc, which the Ubuntu-based Temurin image has.
FROM eclipse-temurin:25-jre
RUN groupadd --system hcn && useradd --system --gid hcn --home /app hcn
WORKDIR /app
COPY --from=build /src/app.jar /app/app.jar
COPY model-artifacts/bundles/hcn-ml1m /app/bundles/hcn-ml1m
USER hcn
# REST, gRPC and the management port (health, metrics).
EXPOSE 8080 9090 8081
ENV HCN_MODEL_BUNDLEPATH=/app/bundles/hcn-ml1m \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseZGC"
# Readiness over bash's /dev/tcp (the JRE image has no curl): the management port answers even when
# the API port is saturated.
HEALTHCHECK --interval=5s --timeout=2s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
# The Vector API (incubator) and ONNX Runtime's native access need these flags at run time.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/app.jar"]
