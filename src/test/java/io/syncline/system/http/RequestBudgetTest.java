package io.syncline.system.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The request budget counted as an API counts: the moments requests go, in any second. Eight threads share
 * a budget of 20 a second, and every sleep wakes up to 150 ms late, as on a busy machine or after a pause of
 * the collector: spaced slots alone let the late sleepers go together, 22 to 25 in one second.
 */
class RequestBudgetTest {

    @Test
    void noSecondHoldsMoreThanTheRateEvenWhenSleepersWakeLate() throws InterruptedException {
        RequestBudget budget = new RequestBudget(20, nanos ->
                TimeUnit.NANOSECONDS.sleep(nanos + TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(150))));
        List<Long> went = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    budget.take();
                    went.add(System.nanoTime());
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(80, went.size());
        List<Long> times = new ArrayList<>(went);
        Collections.sort(times);
        int most = 0;
        for (int first = 0, last = 0; last < times.size(); last++) {
            while (times.get(last) - times.get(first) >= TimeUnit.SECONDS.toNanos(1)) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        // the moment is taken just after take() returns: a thread may be descheduled in between, hence one more
        assertTrue(most <= 21, "requests in one second: " + most + ", budget 20");
        long span = times.get(times.size() - 1) - times.get(0);
        assertTrue(span >= TimeUnit.MILLISECONDS.toNanos(3500), "80 requests at 20 a second take about 4 s, took " + span / 1_000_000 + " ms");
    }

    @Test
    void noBudgetNeverWaits() {
        RequestBudget budget = new RequestBudget(0, nanos -> {
            throw new AssertionError("waited " + nanos + " ns without a budget");
        });
        for (int i = 0; i < 1000; i++) {
            budget.take();
        }
    }
}
