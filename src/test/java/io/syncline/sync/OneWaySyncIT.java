package io.syncline.sync;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same scenarios against the packaged server (failsafe, part of ./mvnw verify; the native binary where one can be built). */
@QuarkusIntegrationTest
class OneWaySyncIT extends OneWaySyncTest {
}
