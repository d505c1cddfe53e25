package io.syncline.demo;

import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.RealDatabases;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@code syncline.demo.enabled=true} left on while the systems are real databases: the demo's users
 * (a contact added or edited, a ticket, phones and first names of people, every 3 s) touch nothing.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(DemoOffOutsideItsDatabasesTest.DemoLeftOn.class)
@Order(8)
class DemoOffOutsideItsDatabasesTest {

    public static class DemoLeftOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.demo.enabled", "true");
        }
    }

    @Test
    void theDemoNeverWritesToADatabaseThatIsNotItsOwn() throws Exception {
        long contacts = count(crm(), "SELECT COUNT(*) FROM contacts");
        Thread.sleep(7_000); // the demo's users act every 3 s
        assertEquals(contacts, count(crm(), "SELECT COUNT(*) FROM contacts"), "a demo contact in the real CRM");
        assertEquals(0, count(crm(), "SELECT COUNT(*) FROM people WHERE phone LIKE '+44 20 7946 %'"), "a demo phone number in the real CRM");
        assertEquals(0, count(helpdesk(), "SELECT COUNT(*) FROM users WHERE first_name IN ('Alan', 'Edsger')"), "a demo first name in the real help desk");
    }
}
