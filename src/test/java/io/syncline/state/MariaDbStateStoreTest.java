package io.syncline.state;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.EmbeddedDatabases;
import io.syncline.testing.RealDatabases;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Order;

/**
 * The state store's contract on MariaDB: an application of its own, with only the contacts pair, whose state store is
 * an empty MariaDB database that it migrates as it starts.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(MariaDbStateStoreTest.OnMariaDb.class)
@Order(7) // after the restart test (it writes the help desk's customers again), before the start-up failures, whose settings may outlive them
class MariaDbStateStoreTest extends StateStoreContract {

    public static class OnMariaDb implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return onlyContacts(RealDatabases.stateStore("mariadb"));
        }
    }

    @Override
    String database() {
        return "MariaDB";
    }

    @Override
    String[] emptyDatabase(String name) throws SQLException {
        return new String[] {EmbeddedDatabases.get().mariaDbDatabase(name, null), "root"};
    }
}
