# Syncline as a native binary: built in a Mandrel builder image, run on a micro image.
# The pair files and the configuration come from outside the image:
#   docker build -t syncline .
#   docker run -p 8080:8080 -v $PWD/routes:/work/routes:ro \
#     -v $PWD/application.properties:/work/config/application.properties:ro \
#     -e SYNCLINE_SYSTEMS_CRM_PASSWORD=... -e SYNCLINE_STATE_PASSWORD=... syncline
# (not built on the machines this project is developed on: they have no container engine)

FROM quay.io/quarkus/ubi-quarkus-mandrel-builder-image:jdk-21 AS build
USER root
WORKDIR /build
COPY --chown=quarkus:quarkus mvnw pom.xml application.properties ./
COPY --chown=quarkus:quarkus .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY --chown=quarkus:quarkus src src
RUN ./mvnw -B -DskipTests package -Dnative

FROM quay.io/quarkus/quarkus-micro-image:2.0
WORKDIR /work
COPY --from=build /build/target/*-runner /work/syncline
RUN mkdir -p /work/routes /work/config /work/data && chown -R 1001:root /work && chmod -R g+rwX /work
USER 1001
EXPOSE 8080
# routes/ and config/application.properties are mounted; the H2 state store (default) and the demo's databases live in
# /work/data (syncline.data-dir): mount a volume there to keep them
ENTRYPOINT ["./syncline"]
