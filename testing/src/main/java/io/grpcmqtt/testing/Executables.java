package io.grpcmqtt.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs tests run (mosquitto, its clients, gcc, stdbuf) on the {@code PATH}.
 * A missing program skips the test with the package to install, except under {@code CI=true},
 * where it fails it: CI must never pass by skipping.
 */
public final class Executables {
    private Executables() {}

    /**
     * The executable {@code name} on the {@code PATH}, else the first executable {@code fallbacks}
     * entry; otherwise fails (under CI) or aborts the current test.
     *
     * @param aptPackage the Debian package that provides it, named in the message
     */
    public static Path require(String name, String aptPackage, Path... fallbacks) {
        return find(name, System.getenv("PATH"), List.of(fallbacks))
                .orElseGet(() -> missing(name, aptPackage, "true".equalsIgnoreCase(System.getenv("CI"))));
    }

    /** Looks for an executable {@code name} in each {@code pathEnv} entry, then in {@code fallbacks}. */
    static Optional<Path> find(String name, String pathEnv, List<Path> fallbacks) {
        List<Path> candidates = new ArrayList<>();
        if (pathEnv != null) {
            for (String entry : pathEnv.split(File.pathSeparator, -1)) {
                if (!entry.isBlank()) {
                    candidates.add(Path.of(entry, name));
                }
            }
        }
        candidates.addAll(fallbacks);
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    /** Fails (under CI) or aborts the current test because {@code name} is missing. */
    static <T> T missing(String name, String aptPackage, boolean ci) {
        if (ci) {
            throw new IllegalStateException(name + " not installed; .ci/run installs " + aptPackage);
        }
        return Assumptions.abort(name + " not installed (apt-get install " + aptPackage + "): skipping");
    }
}
