package io.syncline.ops;

import static io.syncline.testing.Api.operator;
import static io.syncline.testing.Sql.count;
import static io.syncline.testing.Sql.crm;
import static io.syncline.testing.Sql.helpdesk;
import static io.syncline.testing.Sql.row;
import static io.syncline.testing.Sql.update;
import static io.syncline.testing.TwoWayPair.SYNC;
import static io.syncline.testing.TwoWayPair.crmId;
import static io.syncline.testing.TwoWayPair.helpdeskId;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.syncline.testing.Api;
import io.syncline.testing.RealDatabases;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium, driven by Selenium through chromedriver): an
 * operator opens the console, resolves a conflict of the two-way pair {@code people}, retries a dead letter once
 * the help desk accepts the record, pauses and resumes the pair, and reads a record's history; the databases are
 * checked after each step. A viewer sees the pages without the actions. Screenshots of the main pages go to
 * {@code target/console-screenshots} (the README's come from there).
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@Order(3) // after TwoWaySyncTest, whose first test counts the people the run starts with
class ConsoleBrowserTest {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private static WebDriver browser;

    @TestHTTPResource("/")
    URL root;

    /**
     * Debian's Chromium and its driver, installed with apt when they are missing (a fresh machine, CI), so that
     * {@code ./mvnw verify} needs nothing installed beforehand; where apt cannot (no root), the test fails saying what to install.
     */
    private static void installChromium() throws IOException {
        if (CHROMIUM.canExecute() && CHROMEDRIVER.canExecute()) {
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> sudo = root ? List.of() : List.of("sudo", "-n");
        for (List<String> step : List.of(List.of("apt-get", "update", "-qq"), List.of("apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"))) {
            List<String> command = new java.util.ArrayList<>(sudo);
            command.addAll(step);
            try {
                Process apt = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .start();
                if (!apt.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || apt.exitValue() != 0) {
                    break;
                }
            } catch (IOException | InterruptedException e) {
                break;
            }
        }
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            fail("the console's browser tests need Debian's Chromium and its driver, and apt could not install them here:"
                    + " sudo apt-get install -y chromium chromium-driver");
        }
    }

    @BeforeAll
    static void openBrowser() throws IOException {
        installChromium();
        Path profile = Files.createTempDirectory("syncline-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profile);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** A page of the console, signed in (the browser keeps the login for the origin). */
    private void open(String user, String password, String path) {
        browser.get("http://" + user + ":" + password + "@" + root.getHost() + ":" + root.getPort() + path);
    }

    /** An element of the page, once the page that has it is there: a click's navigation may still be under way. */
    private static WebElement element(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class).until(d -> d.findElement(by));
    }

    private static String text(String id) {
        return element(By.id(id)).getText();
    }

    /** Waits until the element's text is what the page should show after an action (the old page may still be shown). */
    private static void awaitText(String id, String expected) {
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> text(id).contains(expected));
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static long person(String email, String first) {
        update(crm(), "INSERT INTO people (email, first_name, last_name, phone, status) VALUES (?, ?, 'Console', '+1 555 8000', 'Active')",
                email, first);
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM users WHERE email = ?", email) == 1);
        return crmId(email);
    }

    @Test
    void anOperatorResolvesAConflictRetriesADeadLetterPausesAndResumesAPair() throws IOException {
        open(Api.OPERATOR, Api.OPERATOR_PASSWORD, "/");
        assertTrue(browser.getCurrentUrl().endsWith("/console"), "/ leads to the console: " + browser.getCurrentUrl());
        assertThat(text("pair-people"), containsString("crm.people"));
        assertThat(text("pair-contacts"), containsString("RUNNING"));
        screenshot("console-pairs");

        // a conflict: both sides change the notes (rule: manual) within one window
        String email = "console.grace@example.com";
        long crm = person(email, "Grace");
        long helpdesk = helpdeskId(email);
        operator().post("/api/pairs/people/pause").then().statusCode(200);
        update(crm(), "UPDATE people SET notes = 'prefers email (CRM)' WHERE id = ?", crm);
        update(helpdesk(), "UPDATE users SET notes = 'prefers phone (help desk)' WHERE id = ?", helpdesk);
        operator().post("/api/pairs/people/resume").then().statusCode(200);
        await().atMost(SYNC).until(() -> operator().get("/api/pairs/people/conflicts").then().extract().jsonPath().getList("aId")
                .contains(String.valueOf(crm)));

        open(Api.OPERATOR, Api.OPERATOR_PASSWORD, "/console/pairs/people");
        element(By.id("conflict-" + crm)).findElement(By.linkText("Review")).click();
        assertThat(element(By.id("field-notes")).getAttribute("class"), containsString("conflict"));
        assertThat(text("field-notes"), containsString("prefers phone (help desk)"));
        screenshot("console-conflict");
        element(By.id("choose-b")).click();
        awaitText("done", "resolved");
        assertEquals("prefers phone (help desk)", row(crm(), "SELECT notes FROM people WHERE id = ?", crm).get("notes"),
                "the help desk's notes written to the CRM");
        assertEquals("prefers phone (help desk)", row(helpdesk(), "SELECT notes FROM users WHERE id = ?", helpdesk).get("notes"));
        assertThat(text("windows"), containsString("applied")); // the decision's window among the recent ones
        assertThat(text("staleness"), containsString(" s"));

        // a dead letter: the help desk refuses a phone, then its rule is relaxed and the operator retries
        update(helpdesk(), "ALTER TABLE users ADD CONSTRAINT console_phone CHECK (phone NOT LIKE 'console %')");
        try {
            update(crm(), "UPDATE people SET phone = 'console refused' WHERE id = ?", crm);
            await().atMost(SYNC).until(() -> operator().get("/api/pairs/people/dead-letters").then().extract().jsonPath()
                    .getList("recordId").contains(String.valueOf(helpdesk)));
            // paused, the pair applies no window that would try the parked record on its own: only the operator's retry writes it
            operator().post("/api/pairs/people/pause").then().statusCode(200);
            // a window collected before the pause still applies (and tries the parked record): only then is the rule relaxed
            await().atMost(SYNC).until(() -> operator().get("/api/pairs/people").then().extract().jsonPath().getLong("twoWay.pendingWindows") == 0);
            update(helpdesk(), "ALTER TABLE users DROP CONSTRAINT console_phone");
            open(Api.OPERATOR, Api.OPERATOR_PASSWORD, "/console/pairs/people");
            assertThat(text("dead-letter-helpdesk-" + helpdesk), containsString("helpdesk.users refused the record"));
            screenshot("console-pair");
            element(By.id("dead-letter-helpdesk-" + helpdesk)).findElement(By.className("retry")).click();
            awaitText("done", "tried again");
            assertEquals("console refused", row(helpdesk(), "SELECT phone FROM users WHERE id = ?", helpdesk).get("phone"),
                    "written by the retry, with no edit of its own");
            assertTrue(browser.findElements(By.id("dead-letter-helpdesk-" + helpdesk)).isEmpty(), "the dead letter is gone");
        } finally {
            update(helpdesk(), "ALTER TABLE users DROP CONSTRAINT IF EXISTS console_phone");
            operator().post("/api/pairs/people/resume").then().statusCode(200);
        }
        open(Api.OPERATOR, Api.OPERATOR_PASSWORD, "/console/pairs/people");

        // pause, asked for again, then resume: nothing is synced in between, everything after
        element(By.id("pause")).click();
        element(By.id("confirm"));
        screenshot("console-confirm");
        element(By.id("confirm")).click();
        awaitText("state", "PAUSED");
        String whilePaused = "console.paused@example.com";
        update(crm(), "INSERT INTO people (email, first_name, status) VALUES (?, 'Paused', 'Active')", whilePaused);
        io.syncline.testing.Polls.awaitPolls("contacts", 3); // three seconds of polls elsewhere: this pair does not poll
        assertEquals(0, count(helpdesk(), "SELECT COUNT(*) FROM users WHERE email = ?", whilePaused), "nothing synced while paused");
        element(By.id("resume")).click();
        element(By.id("confirm")).click();
        awaitText("state", "RUNNING");
        await().atMost(SYNC).until(() -> count(helpdesk(), "SELECT COUNT(*) FROM users WHERE email = ?", whilePaused) == 1);

        // why the notes hold what they hold
        open(Api.OPERATOR, Api.OPERATOR_PASSWORD, "/console/pairs/people/history?id=" + crm);
        List<String> decisions = browser.findElements(By.className("decision")).stream().map(e -> e.getText()).toList();
        assertTrue(decisions.stream().anyMatch(d -> d.contains("decided by an operator")), "the decision is in the history: " + decisions);
        screenshot("console-history");
    }

    @Test
    void aViewerSeesThePagesButNotTheActions() {
        open(Api.VIEWER, Api.VIEWER_PASSWORD, "/console/pairs/people");
        assertThat(browser.getPageSource(), containsString("Signed in as a viewer: operators act."));
        assertTrue(browser.findElements(By.id("pause")).isEmpty());
        assertTrue(browser.findElements(By.className("retry")).isEmpty());
        // the action itself is refused, whatever the page shows
        io.restassured.RestAssured.given().auth().preemptive().basic(Api.VIEWER, Api.VIEWER_PASSWORD).post("/console/pairs/people/pause")
                .then().statusCode(403);
    }
}
