package io.syncline.sync;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;

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

/** A pair file that is not valid YAML stops the server, naming the file and the line. */
@QuarkusMainTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(BrokenYamlTest.BrokenYaml.class)
@Order(11)
class BrokenYamlTest {

    public static class BrokenYaml implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("camel.main.routes-include-pattern", "file:src/test/resources/broken-yaml/*.yaml");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void yamlErrorStopsStartupNamingTheFile(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertThat(output, containsString("broken-yaml/broken.yaml"));
    }
}
