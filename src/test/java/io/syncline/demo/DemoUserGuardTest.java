package io.syncline.demo;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.syncline.testing.RealDatabases;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo asked for against real databases does not run, and the demo's user with its documented
 * password does not outlive it: such a server does not start.
 */
@QuarkusMainTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(DemoUserGuardTest.DemoOnRealDatabases.class)
@Order(9)
class DemoUserGuardTest {

    public static class DemoOnRealDatabases implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("syncline.demo.enabled", "true", "quarkus.security.users.embedded.users.demo", "demo");
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a server that starts after all never ends
    void theDemoUserWithItsDocumentedPasswordStopsAServerWithoutTheDemo(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        assertEquals(1, result.exitCode());
        String output = result.getOutput() + result.getErrorOutput();
        assertThat(output, containsString("demo: off, it edits only the embedded demo databases and [crm, helpdesk, billing, marketing, tracker] are not"));
        assertThat(output, containsString("Syncline will not start: the demo does not run, yet the user 'demo' still has the documented password 'demo'"));
    }
}
