package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.RealDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The state store's contract on the default H2 file, on the application the sync tests share. */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(3) // on the application the sync tests share, before the tests of start-up failures
class H2StateStoreTest extends StateStoreContract {

    /** Values up to 64 KB, a link's base among them, are kept in their rows (V10), not in H2's store of large objects. */
    @Test
    void basesAreKeptInTheirRows() throws SQLException {
        try (Connection c = state.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'MAX_LENGTH_INPLACE_LOB'")) {
            assertTrue(rs.next());
            assertEquals("65536", rs.getString(1));
        }
    }

    @Override
    String database() {
        return "H2";
    }

    @Override
    String[] emptyDatabase(String name) throws SQLException {
        return new String[] {"jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa"};
    }
}
