package io.syncline.sync;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same scenarios against the packaged (or native) server; needs a failsafe run, not part of ./mvnw verify. */
@QuarkusIntegrationTest
class OneWaySyncIT extends OneWaySyncTest {
}
