package io.syncline.ops;

import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the console shows times ({@code 00:40:19 UTC, 3 s ago}, the date too when it is not today) and puts ids in its links. */
@TemplateExtension
final class ConsoleFormats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private ConsoleFormats() {
    }

    static String ago(Instant time) {
        Instant now = Instant.now();
        boolean today = time.atZone(ZoneOffset.UTC).toLocalDate().equals(now.atZone(ZoneOffset.UTC).toLocalDate());
        String at = (today ? TIME : DATE_TIME).format(time) + " UTC";
        Duration since = Duration.between(time, now);
        if (since.isNegative()) {
            return at + ", in " + span(since.negated());
        }
        return at + ", " + span(since) + " ago";
    }

    /** A duration in seconds as the console shows it: {@code 0.42 s}. */
    static String seconds(double seconds) {
        return String.format(java.util.Locale.ROOT, "%.2f s", seconds);
    }

    /** A value as one segment of a URL path: {@code /}, {@code ?}, {@code #}, {@code %} and spaces encoded. */
    static String path(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String span(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s < 172_800 ? s / 3600 + " h" : s / 86_400 + " d";
    }
}
