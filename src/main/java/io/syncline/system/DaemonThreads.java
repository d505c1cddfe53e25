package io.syncline.system;

import java.util.concurrent.ThreadFactory;

/** Threads for Syncline's background work, named for thread dumps; they never hold the JVM up. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
