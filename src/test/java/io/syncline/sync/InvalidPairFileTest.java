package io.syncline.sync;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
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

/** A wrong pair file stops the server at start-up, naming file, pair, field and problem. */
@QuarkusMainTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(InvalidPairFileTest.InvalidPairs.class)
@Order(10)
class InvalidPairFileTest {

    public static class InvalidPairs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("camel.main.routes-include-pattern", "file:src/test/resources/invalid-routes/*.yaml");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void invalidPairFileStopsStartupWithTheRightMessage(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertThat(output, allOf(
                containsString("file:src/test/resources/invalid-routes/wrong.yaml: pair 'wrongSystem' is invalid"),
                containsString("source: unknown system 'erp'; configured systems: billing, crm, helpdesk, marketing, tracker"),
                containsString("pair 'wrongColumns' is invalid"),
                containsString("column 'e_mail' does not exist in crm.contacts"),
                containsString("target column 'nickname' does not exist in helpdesk.customers"),
                containsString("targetStamp: column 'email' is VARCHAR; a change marker must be a timestamp or an integer version"),
                containsString("pair 'wrongSoft' is invalid:\n  - deletes: soft(id = gone): field 'id': 'gone' is not a whole number"),
                containsString("deletes: a two-way pair says what a delete does on each side: aDeletes, bDeletes"),
                containsString("pair 'wrongSchema' is invalid:\n  - source: table 'ledger' is in 2 schemas (archive, sales), none of them on the"
                        + " connection's search path: name the schema, e.g. crm.archive.ledger"),
                containsString("pair 'wrongLookalike' is invalid:\n  - mapping line 2 'label <- run_label -> email': column 'run_label' does not"
                        + " exist in crm.bill_runs (its columns: id, updated_at)"),
                containsString("table crm.public.contacts is named crm.contacts (pair 'spellingOne') and crm.public.contacts (pair 'spellingTwo'):"
                        + " write a table the same way in every pair file; the pairs that share a table are told by the name they give it"),
                containsString("pair 'wrongView' is invalid:\n  - a: 'active_people' is a view; Syncline only reads a view (as a one-way pair's"
                        + " source): name a table"),
                containsString("aNewIds: uuid needs an id column of text or uuid; 'id' is bigserial"),
                containsString("bNewIds: 'serial' is not a source of ids; use database (the id column's default, identity or auto-increment)"
                        + " or uuid (Syncline gives each record it creates a random UUID)"),
                containsString("pair 'wrongNoMarker' is invalid:\n  - deletes: a two-way pair says what a delete does on each side: aDeletes, bDeletes\n  - policy: last-writer-wins compares the times of the sides' edits, and side b"
                        + " has no change marker (bCursor: none) to tell them; choose a-wins, b-wins or manual (under field-merge, for its fallback"
                        + " and fields too)"),
                containsString("pair 'wrongHttpTwoWay' is invalid"),
                containsString("a: system 'tracker' is an HTTP API, which creates a record the moment it is sent: a two-way pair with an API side needs match: <field>"),
                containsString("aNewIds: system 'tracker' gives its records their ids; remove aNewIds"),
                containsString("pair 'wrongHttpTarget' is invalid"),
                containsString("target column 'e_mail' does not exist in tracker.notes (its columns: id, external_id, title, content.text"),
                containsString("targetStamp: system 'tracker' sets its own change markers; remove targetStamp"),
                containsString("source: collection 'epics' does not exist in system 'tracker'"),
                containsString("pair 'wrongTransform' is invalid"),
                containsString("mapping line 2 'email <- email | lowr  -> email': unknown transform 'lowr'"),
                containsString("schedule: 'every minute' is not a Quartz cron expression; write six fields, seconds first, e.g. 0/5 * * * * ?"),
                containsString("window: 'soon' is not a duration; write e.g. 500ms, 5s, 2m, 1h or 1m30s"),
                containsString("reconcile: '0 0 25 * * ?' is not a Quartz cron expression"),
                containsString("pair 'wrongTwoWay' is invalid"),
                containsString("policy: 'newest-wins' is not a conflict policy; use one of [last-writer-wins, a-wins, b-wins, field-merge, manual]"),
                containsString("fields: 'nickname' is not a canonical field of the mapping"),
                containsString("maps two values to '1', so it cannot be read back"),
                containsString("aDeletes: 'purge' is not a delete rule"),
                containsString("deleteGuard: 'lots' is neither a share (10%) nor a number of records (500)"),
                containsString("sensitive: 'ssn' is not a canonical field of the mapping; use one of [email, status]"),
                containsString("pair 'chicken' is invalid:\n  - mapping line 2: field 'company': references form a cycle chicken -> egg -> chicken"),
                containsString("pair 'orphan' is invalid:\n  - mapping line 2: field 'company' references unknown pair 'nosuchpair'")));
    }
}
