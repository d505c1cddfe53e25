package io.syncline.demo;

import io.syncline.system.ExternalSystem;
import io.syncline.system.JdbcSystem;
import io.syncline.system.SynclineConfig;
import io.syncline.system.Systems;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Plays the users of the three embedded demo systems, so that a newcomer sees records move: adds and
 * edits contacts in the CRM and tickets in the help desk, people in both, and payers in billing. Does nothing unless
 * {@code syncline.demo.enabled=true} and every configured system is one of the embedded demo databases
 * (H2 in the data directory or in memory, seeded from the classpath): next to any other database it never writes a row.
 * <p>
 * It also keeps the demo's user from outliving the demo: a server whose demo does not run refuses to
 * start while the user {@code demo} still has the documented password {@code demo}.
 */
@ApplicationScoped
@Named("demo")
public class DemoActivity {

    private static final Logger LOG = Logger.getLogger(DemoActivity.class);

    @Inject
    Systems systems;

    @Inject
    SynclineConfig config;

    @ConfigProperty(name = "quarkus.security.users.embedded.users.demo")
    Optional<String> demoUserPassword;

    /** The id of the next contact it adds; 0 until it has read where the CRM's ids end (the demo's databases outlive a run). */
    private long nextContact;

    private boolean running;

    void onStart(@Observes StartupEvent event) {
        // the demo runs only where every system is one of its own databases: next to a real one, its user would operate real pairs
        List<String> notDemo = Stream.concat(Stream.of("crm", "helpdesk", "billing"), systems.names().stream()).distinct()
                .filter(name -> systems.find(name).map(system -> !isEmbeddedDemo(system)).orElse(true)).toList();
        running = config.demo().enabled() && notDemo.isEmpty();
        if (config.demo().enabled() && !running) {
            LOG.warnf("demo: off, it edits only the embedded demo databases and %s %s not (syncline.demo.enabled=false silences this)",
                    notDemo, notDemo.size() == 1 ? "is" : "are");
        }
        if (!running && demoUserPassword.filter("demo"::equals).isPresent()) {
            throw new IllegalStateException("Syncline will not start: the demo does not run, yet the user 'demo' still has the documented"
                    + " password 'demo' and may operate every pair. Set SYNCLINE_DEMO_PASSWORD, or replace the user in"
                    + " config/application.properties (quarkus.security.users.embedded.users.<name>, see the README).");
        }
    }

    private boolean isEmbeddedDemo(ExternalSystem system) {
        return system instanceof JdbcSystem && isEmbeddedDemo(system.url(), config.dataDir());
    }

    /**
     * The demo's own databases: H2 in this process, in memory or in the data directory's {@code demo-} files, seeded from
     * Syncline's classpath; never one reached over the network or shared with another process.
     */
    static boolean isEmbeddedDemo(String url, String dataDir) {
        boolean own = url.startsWith("jdbc:h2:mem:") || url.startsWith("jdbc:h2:file:" + dataDir + "/demo-");
        return own && url.contains("INIT=RUNSCRIPT FROM 'classpath:demo/") && !url.toUpperCase(Locale.ROOT).contains("AUTO_SERVER=TRUE");
    }

    /** One round of the demo users' edits (routes/demo.yaml); one that fails is logged, and the next round goes on. */
    public void edit() {
        if (!running) {
            return;
        }
        try {
            editAll();
        } catch (SQLException e) {
            LOG.warnf("demo: an edit failed: %s", e.getMessage());
        }
    }

    private void editAll() throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        JdbcSystem crm = (JdbcSystem) systems.find("crm").orElseThrow(); // running: both are its own databases
        try (Connection c = crm.connect()) {
            if (random.nextBoolean()) {
                if (nextContact == 0) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT GREATEST(COALESCE(MAX(id), 0) + 1, 1000) FROM contacts");
                            ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        nextContact = rs.getLong(1);
                    }
                }
                long id = nextContact++;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO contacts (id, first_name, last_name, email, status, birth_date, "
                        + "created_at, updated_at) VALUES (?, 'Grace', 'Hopper', ?, 'Active', '09/12/1906', LOCALTIMESTAMP, LOCALTIMESTAMP)")) {
                    ps.setLong(1, id);
                    ps.setString(2, "grace" + id + "@example.com");
                    ps.executeUpdate();
                }
                LOG.infof("demo: crm: new contact %d", id);
            } else {
                long id = 1 + random.nextInt(20);
                String status = random.nextBoolean() ? "Active" : "Inactive";
                try (PreparedStatement ps = c.prepareStatement("UPDATE contacts SET status = ?, updated_at = LOCALTIMESTAMP WHERE id = ?")) {
                    ps.setString(1, status);
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
                LOG.infof("demo: crm: contact %d is now %s", id, status);
            }
        }
        JdbcSystem helpdesk = (JdbcSystem) systems.find("helpdesk").orElseThrow();
        try (Connection c = helpdesk.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE tickets SET status = ?, priority = ?, updated_at = LOCALTIMESTAMP WHERE id = ?")) {
            long id = 1 + random.nextInt(10);
            String status = random.nextBoolean() ? "open" : "closed";
            ps.setString(1, status);
            ps.setInt(2, 1 + random.nextInt(3));
            ps.setLong(3, id);
            ps.executeUpdate();
            LOG.infof("demo: helpdesk: ticket %d is now %s", id, status);
        }
        editPeople(crm, helpdesk, random);
        JdbcSystem billing = (JdbcSystem) systems.find("billing").orElseThrow();
        if (random.nextBoolean()) { // billing changes a phone number every other edit or so: through the CRM, it reaches the help desk
            int person = 1 + random.nextInt(IN_REVIEW - 1); // not the person in review, whose changes wait for an operator
            String phone = "+44 20 7946 " + random.nextInt(1000, 10000);
            try (Connection c = billing.connect(); PreparedStatement ps = c.prepareStatement("UPDATE payers SET phone = ? WHERE email = ?")) {
                ps.setString(1, phone);
                ps.setString(2, "person" + person + "@example.com");
                ps.executeUpdate();
            }
            LOG.infof("demo: billing: person%d@example.com's phone is now %s (payers -> CRM -> people -> help desk)", person, phone);
        }
    }

    /**
     * The person whose notes both systems edit now and then: a conflict for review that nobody resolves, which holds that
     * person's later changes. Billing's edits leave this person out, so that they keep travelling on through the CRM.
     */
    private static final int IN_REVIEW = 4;

    /**
     * Two-way pair "people": someone in the CRM changes a phone number, someone in the help desk a first name; now and then
     * both edit the notes of person {@link #IN_REVIEW}, a conflict for review (GET /api/pairs/people/conflicts).
     */
    private void editPeople(JdbcSystem crm, JdbcSystem helpdesk, ThreadLocalRandom random) throws SQLException {
        int person = 1 + random.nextInt(4); // the people both systems had before the first run
        String email = "person" + person + "@example.com";
        try (Connection c = crm.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE people SET phone = ? WHERE LOWER(TRIM(email)) = ?")) {
            ps.setString(1, "+44 20 7946 " + random.nextInt(1000, 10000));
            ps.setString(2, email);
            ps.executeUpdate();
        }
        try (Connection c = helpdesk.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE users SET first_name = ? WHERE LOWER(TRIM(email)) = ?")) {
            ps.setString(1, List.of("Alan", "Ada", "Grace", "Edsger").get(random.nextInt(4)));
            ps.setString(2, "person" + (1 + random.nextInt(4)) + "@example.com");
            ps.executeUpdate();
        }
        if (random.nextInt(10) == 0) {
            email = "person" + IN_REVIEW + "@example.com";
            String note = "call back " + random.nextInt(1, 29) + " Dec";
            for (JdbcSystem system : List.of(crm, helpdesk)) {
                try (Connection c = system.connect();
                        PreparedStatement ps = c.prepareStatement("UPDATE " + (system == crm ? "people" : "users")
                                + " SET notes = ? WHERE LOWER(TRIM(email)) = ?")) {
                    ps.setString(1, note + (system == crm ? " (crm)" : " (help desk)"));
                    ps.setString(2, email);
                    ps.executeUpdate();
                }
            }
            LOG.infof("demo: both systems edited the notes of %s: a conflict for review, see GET /api/pairs/people/conflicts", email);
        }
    }
}
