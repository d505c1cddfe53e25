package io.syncline.state;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.RealDatabases;
import org.junit.jupiter.api.Order;

/** The state store's contract on the default H2 file, on the application the sync tests share. */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(3) // on the application the sync tests share, before the tests of start-up failures
class H2StateStoreTest extends StateStoreContract {

    @Override
    String database() {
        return "H2";
    }
}
