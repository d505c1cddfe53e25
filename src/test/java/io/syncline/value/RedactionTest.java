package io.syncline.value;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Messages as the drivers and Syncline write them, without secrets, hosts or record values. */
class RedactionTest {

    @Test
    void urlsKeepOnlyTheirKind() {
        assertEquals("cannot connect to jdbc:postgresql:…", Redaction.of("cannot connect to jdbc:postgresql://db.internal:5432/crm?user=sync&password=s3cret"));
        assertEquals("system 'crm' (jdbc:h2:…)", Redaction.of("system 'crm' (jdbc:h2:mem:crm;MODE=PostgreSQL)"));
        assertEquals("GET https://… failed", Redaction.of("GET https://api.example.com/v1/contacts?token=abc failed"));
    }

    @Test
    void credentialsHostsAndUsers() {
        assertEquals("options password=…, user=…", Redaction.of("options password=s3cret, user=sync"));
        assertEquals("Connection to …:5432 refused. Check that the hostname and port are correct",
                Redaction.of("Connection to localhost:5432 refused. Check that the hostname and port are correct"));
        assertEquals("Socket fail to connect to host:address=(host=…)(port=3306)(type=primary). Connection refused",
                Redaction.of("Socket fail to connect to host:address=(host=db.internal.example.com)(port=3306)(type=primary). Connection refused"));
        assertEquals("Access denied for user '…'@'…' (using password: …)", Redaction.of("Access denied for user 'root'@'10.1.2.3' (using password: YES)"));
        assertEquals("FATAL: password authentication failed for user \"…\"", Redaction.of("FATAL: password authentication failed for user \"postgres\""));
        assertEquals("no route to …", Redaction.of("no route to 192.168.10.20"));
    }

    @Test
    void recordValuesGoNamesStay() {
        assertEquals("(conn=42) Duplicate entry '…' for key 'users.email'",
                Redaction.of("(conn=42) Duplicate entry 'ada@example.com' for key 'users.email'"));
        assertEquals("ERROR: duplicate key value violates unique constraint \"users_email_key\"\n  Detail: Key (email)=(…) already exists.",
                Redaction.of("ERROR: duplicate key value violates unique constraint \"users_email_key\"\n  Detail: Key (email)=(ada@example.com) already exists."));
        assertEquals("ERROR: null value in column \"email\" of relation \"people\" violates not-null constraint\n  Detail: Failing row contains (…)",
                Redaction.of("ERROR: null value in column \"email\" of relation \"people\" violates not-null constraint\n  Detail: Failing row contains (7, Ada, null, 2026-01-01)"));
        assertEquals("ERROR: invalid input syntax for type integer: \"…\"", Redaction.of("ERROR: invalid input syntax for type integer: \"abc\""));
        assertEquals("Incorrect string value: '…' for column 'notes' at row 1", Redaction.of("Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'notes' at row 1"));
        assertEquals("Data too long for column 'first_name' at row 1", Redaction.of("Data too long for column 'first_name' at row 1"));
        assertEquals("Field 'modified' doesn't have a default value", Redaction.of("Field 'modified' doesn't have a default value"));
        assertEquals("field 'status': value '…' is not in the value map [Active, Inactive]",
                Redaction.of("field 'status': value 'Ada Lovelace' is not in the value map [Active, Inactive]"));
        assertEquals("field 'age': '…' is not a whole number", Redaction.of("field 'age': '12.5' is not a whole number"));
        assertEquals("Unique index or primary key violation: \"…\"",
                Redaction.of("Unique index or primary key violation: \"PUBLIC.USERS(EMAIL) VALUES ( /* 1 */ 'ada@example.com' )\""));
        assertEquals("pair 'people', system 'crm': table 'people' in schema 'public'",
                Redaction.of("pair 'people', system 'crm': table 'people' in schema 'public'"));
    }

    @Test
    void nothingToHide() {
        assertEquals(null, Redaction.of(null));
        assertEquals("applying changes failed at 2026-11-26T10:15:30Z", Redaction.of("applying changes failed at 2026-11-26T10:15:30Z"));
    }
}
