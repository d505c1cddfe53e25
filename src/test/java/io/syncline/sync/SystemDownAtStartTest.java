package io.syncline.sync;

import static io.restassured.RestAssured.given;
import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.update;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syncline.testing.RealDatabases;
import io.syncline.testing.TcpGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The CRM's database does not answer when Syncline starts (its port accepts and drops every
 * connection), and its URL carries a password: the server starts anyway, its CRM pairs wait, DOWN
 * with a reason that names no host, user or secret, and start once the database answers. Nothing in
 * the log of the whole run shows the password, the host's port or a record's values.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(SystemDownAtStartTest.CrmDown.class)
@Order(8)
class SystemDownAtStartTest {

    static final String SECRET = "Sup3r-Secret-Pw";
    static final Path OPEN = Path.of("target", "system-down-at-start", "gate-open");
    static final Path LOG = Path.of("target", "system-down-at-start", "syncline.log");
    private static final String GATE_PORT = "tcp.gate.port";
    private static final Duration SYNC = Duration.ofSeconds(60);

    public static class CrmDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            if (System.getProperty(GATE_PORT) == null) { // once per run, however often the profile is asked
                try {
                    Files.createDirectories(OPEN.getParent());
                    Files.deleteIfExists(OPEN);
                    Files.deleteIfExists(LOG);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                // in front of the test run's PostgreSQL, which RealDatabases starts (maybe later) and names in a system property
                TcpGate gate = TcpGate.to(() -> {
                    Matcher m = Pattern.compile("//([^:/]+):(\\d+)/").matcher(RealDatabases.configuration().get("syncline.systems.crm.url"));
                    return m.find() ? new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))) : null;
                }, OPEN);
                System.setProperty(GATE_PORT, String.valueOf(gate.port()));
            }
            return Map.of("syncline.systems.crm.url", "jdbc:postgresql://localhost:" + System.getProperty(GATE_PORT) + "/crm?password=" + SECRET
                    + "&connectTimeout=2", "quarkus.log.file.enabled", "true", "quarkus.log.file.path", LOG.toString());
        }
    }

    @Test
    void aPairWaitsForItsSystemDownWithAReasonAndStartsOnceItAnswers() throws Exception {
        // the server is up; the pairs on the CRM wait, DOWN from the start
        await().atMost(SYNC).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'syncline-pair-contacts' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'syncline-pair-contacts' }.data.reason", containsString("system 'crm' does not answer")));
        String health = given().get("/q/health/ready").asString();
        assertFalse(health.contains(SECRET) || health.contains("localhost") || health.contains(System.getProperty(GATE_PORT)),
                "health shows the password, host or port of the CRM: " + health);
        operator().get("/api/pairs/contacts").then().statusCode(200).body("state", equalTo("WAITING"))
                .body("lastError", containsString("system 'crm' does not answer"));
        operator().get("/api/pairs").then().statusCode(200).body("find { it.name == 'people' }.state", equalTo("WAITING"));
        operator().post("/api/pairs/people/reconcile").then().statusCode(409).body("error", containsString("pair 'people' waits"));
        // a waiting pair can be paused (it stays paused once its system answers) and resumed
        operator().post("/api/pairs/contacts/pause").then().statusCode(200).body("state", equalTo("WAITING"));
        operator().get("/api/pairs").then().body("find { it.name == 'contacts' }.state", equalTo("WAITING"));
        operator().post("/api/pairs/contacts/resume").then().statusCode(200);

        // meanwhile a user adds contacts: one the mapping refuses (a birthday written the wrong way round), one fine
        update(crm(), "INSERT INTO contacts VALUES (3101, 'Ada', 'Lovelace', 'ada.lovelace@example.com', 'Active', '1815-12-10', NULL,"
                + " LOCALTIMESTAMP, LOCALTIMESTAMP)");
        update(crm(), "INSERT INTO contacts VALUES (3102, 'Charles', 'Babbage', 'charles@example.com', 'Active', NULL, NULL,"
                + " LOCALTIMESTAMP, LOCALTIMESTAMP)");

        Files.createFile(OPEN); // the database answers
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM customers WHERE crm_id = 3102") == 1);
        await().atMost(SYNC).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'syncline-pair-contacts' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'syncline-pair-people' }.status", equalTo("UP")));
        operator().get("/api/pairs/contacts").then().statusCode(200).body("state", not(equalTo("WAITING")));
        // the record's values are shown to a signed-in operator only
        operator().get("/api/pairs/contacts/dead-letters").then().statusCode(200)
                .body("find { it.recordId == '3101' }.reason", containsString("'1815-12-10' does not match the pattern dd/MM/yyyy"));

        String log = Files.readString(LOG);
        assertTrue(log.contains("pair 'contacts' waits: system 'crm' does not answer"), "the log says why contacts waited");
        assertTrue(log.contains("record 3101: dead letter"), "the log names the dead letter");
        for (String secret : new String[] {SECRET, "localhost:" + System.getProperty(GATE_PORT), "1815-12-10", "ada.lovelace@example.com"}) {
            assertFalse(log.contains(secret), "the log shows '" + secret + "':\n" + log.lines().filter(l -> l.contains(secret)).toList());
        }
        assertTrue(count(crm(), "SELECT COUNT(*) FROM contacts WHERE id = 3101") == 1);
    }
}
