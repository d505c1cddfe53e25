package io.syncline.value;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets, hosts and record contents out of a message before it is logged or shown: database
 * errors quote the values they refused ({@code Duplicate entry 'ada@example.com'}), connection errors
 * name hosts and users, URLs carry passwords. Names of fields, columns, keys and constraints stay, so
 * that the message still says what went wrong; values are replaced by {@code …}. A dead letter keeps
 * its full reason for the authenticated API.
 */
public final class Redaction {

    private static final String HIDDEN = "…";

    /** URLs with everything after the scheme (hosts, users, passwords, databases). */
    private static final Pattern URL = Pattern.compile("\\b(jdbc:[a-z0-9]+:|[a-z][a-z0-9+.-]*://)[^\\s'\"<>,)]+", Pattern.CASE_INSENSITIVE);

    /** {@code password=...} and its kin, in URLs, option strings and messages. */
    private static final Pattern CREDENTIAL = Pattern.compile(
            "\\b(password|passwd|pwd|secret|token|api[_-]?key|user|username)(\\s*[=:]\\s*)(?![\\s'\"])[^\\s,;&)]+", Pattern.CASE_INSENSITIVE);

    /** {@code host=...} as MariaDB's driver writes it. */
    private static final Pattern HOST_OPTION = Pattern.compile("\\b(host|hostname|server)=(?![\\s'\"])[^\\s,;&)]+", Pattern.CASE_INSENSITIVE);

    /** host:port, for a name with a dot, an IP address or localhost. */
    private static final Pattern HOST_AND_PORT = Pattern.compile(
            "\\b(localhost|\\d{1,3}(?:\\.\\d{1,3}){3}|[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,})(:\\d{1,5})\\b", Pattern.CASE_INSENSITIVE);

    private static final Pattern IP_ADDRESS = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b");

    /** PostgreSQL's {@code Key (email)=(ada@example.com)} and {@code Failing row contains (...)}. */
    private static final Pattern KEY_VALUES = Pattern.compile("\\b(Key \\(([^)]*)\\))=\\(.*\\)");
    private static final Pattern FAILING_ROW = Pattern.compile("(?i)\\b(failing row contains )\\(.*\\)");

    /** A quoted text, with the word before it: kept when that word says it is a name, not a value. */
    private static final Pattern QUOTED = Pattern.compile("(\\b\\w+\\s+)?(['\"`])(.*?)\\2", Pattern.DOTALL);

    private static final Set<String> NAMES = Set.of("field", "fields", "column", "columns", "key", "table", "relation", "constraint",
            "index", "marker", "pair", "side", "system", "setting", "cursor", "type", "schema", "database", "sequence", "function", "trigger",
            "transform", "policy", "route");

    private Redaction() {
    }

    /** The first line of a message (a driver's detail lines follow it), redacted; a message-less exception's class name. */
    public static String firstLine(Throwable e) {
        return of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
    }

    /** The message without secrets, hosts and record values; null stays null. */
    public static String of(String message) {
        if (message == null) {
            return null;
        }
        String s = URL.matcher(message).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + HIDDEN));
        s = CREDENTIAL.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + HIDDEN));
        s = HOST_OPTION.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "=" + HIDDEN));
        s = HOST_AND_PORT.matcher(s).replaceAll(m -> Matcher.quoteReplacement(HIDDEN + m.group(2)));
        s = IP_ADDRESS.matcher(s).replaceAll(HIDDEN);
        s = KEY_VALUES.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "=(" + HIDDEN + ")"));
        s = FAILING_ROW.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "(" + HIDDEN + ")"));
        return QUOTED.matcher(s).replaceAll(m -> {
            String word = m.group(1) == null ? "" : m.group(1);
            boolean aName = !word.isEmpty() && NAMES.contains(word.trim().toLowerCase(Locale.ROOT));
            return Matcher.quoteReplacement(word + m.group(2) + (aName ? m.group(3) : HIDDEN) + m.group(2));
        });
    }
}
