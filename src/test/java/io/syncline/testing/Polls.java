package io.syncline.testing;

import static io.syncline.testing.Api.operator;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Waits on a pair's polls, so that a test that expects nothing to happen first proves that polls ran. */
public final class Polls {

    private Polls() {
    }

    /** Returns once {@code count} more polls of the pair have succeeded (its {@code lastSuccessfulPoll} moved that often). */
    public static void awaitPolls(String pair, int count) {
        AtomicReference<String> last = new AtomicReference<>(lastSuccessfulPoll(pair));
        AtomicInteger seen = new AtomicInteger();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String now = lastSuccessfulPoll(pair);
            if (now != null && !now.equals(last.getAndSet(now))) {
                seen.incrementAndGet();
            }
            return seen.get() >= count;
        });
    }

    private static String lastSuccessfulPoll(String pair) {
        return operator().get("/api/pairs/" + pair).then().statusCode(200).extract().jsonPath().getString("lastSuccessfulPoll");
    }
}
