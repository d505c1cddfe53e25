package io.syncline.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The demo's users edit only the demo's own databases: H2 in the data directory or in memory, seeded from the classpath. */
class DemoActivityTest {

    private static final String SEEDED = ";MODE=PostgreSQL;INIT=RUNSCRIPT FROM 'classpath:demo/crm.sql'";

    @Test
    void theDemosOwnDatabasesAreItsToEdit() {
        assertTrue(DemoActivity.isEmbeddedDemo("jdbc:h2:file:./data/demo-crm;WRITE_DELAY=0" + SEEDED, "./data"));
        assertTrue(DemoActivity.isEmbeddedDemo("jdbc:h2:file:/var/lib/syncline/demo-crm" + SEEDED, "/var/lib/syncline"));
        assertTrue(DemoActivity.isEmbeddedDemo("jdbc:h2:mem:crm" + SEEDED, "./data"));
    }

    @Test
    void noOtherDatabaseIs() {
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:h2:tcp://crm-db/./data/demo-crm" + SEEDED, "./data"), "over the network");
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:h2:ssl://crm-db/demo-crm" + SEEDED, "./data"), "over the network");
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:h2:file:./data/demo-crm;AUTO_SERVER=TRUE" + SEEDED, "./data"), "shared with another process");
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:h2:file:./crm/demo-crm" + SEEDED, "./data"), "outside the data directory");
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:h2:file:./data/crm" + SEEDED, "./data"), "not one of the demo's files");
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:h2:file:./data/demo-crm;MODE=PostgreSQL", "./data"), "not seeded by the demo");
        assertFalse(DemoActivity.isEmbeddedDemo("jdbc:postgresql://crm-db/crm?x=INIT=RUNSCRIPT FROM 'classpath:demo/crm.sql'", "./data"));
    }
}
