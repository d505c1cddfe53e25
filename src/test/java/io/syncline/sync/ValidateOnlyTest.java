package io.syncline.sync;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.syncline.testing.RealDatabases;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Validation mode ({@code syncline.validate-only=true}): every pair file of the test run (databases and the tracker
 * API) checked against its systems, the result listed, exit 0, and no route started. A wrong pair file exits 1 with
 * the same messages as a normal start ({@code InvalidPairFileTest}).
 */
@QuarkusMainTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(ValidateOnlyTest.ValidateOnly.class)
@Order(8)
class ValidateOnlyTest {

    public static class ValidateOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the other main tests' overrides outlive their launch (system properties): what they change is set back here
            return Map.of("syncline.validate-only", "true",
                    "camel.main.routes-include-pattern", "file:routes/*.yaml,file:routes/examples/*.yaml,file:src/test/resources/routes/*.yaml",
                    "syncline.demo.enabled", "false", "quarkus.security.users.embedded.users.demo", "test-demo-password");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 0)
    void validPairFilesAreListedAndNothingStarts(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertThat(output, containsString("validate-only: "));
        assertThat(output, containsString("pair(s) valid against the configured systems (accounts, bugs, companies, contacts,"));
        assertThat(output, containsString("exiting without starting them"));
        assertThat(output, not(containsString("Starting Quartz scheduler"))); // what triggers every poll, reconciliation and the demo
        assertThat(output, not(containsString("changes read")));
        assertThat(output, not(containsString("records written")));
    }
}
