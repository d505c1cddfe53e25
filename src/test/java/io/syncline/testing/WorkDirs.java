package io.syncline.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The directories under target/ where the tests that run a server of their own keep its files. */
public final class WorkDirs {

    private WorkDirs() {
    }

    /** Deletes {@code dir} and everything in it, if it exists: a run left by an earlier test would start this one half done. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
