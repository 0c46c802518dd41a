package io.grpcmqtt.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** How the Mosquitto fixture finds its binary, reports its absence and reports start failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MosquittoBrokerTest {

    @Test
    void findsTheBinaryOnThePathThenInTheFallbacks(@TempDir Path tmp) throws IOException {
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("mosquitto"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path fallback = tmp.resolve("sbin-mosquitto");

        assertEquals(Optional.of(fake), Executables.find("mosquitto", "/nonexistent:" + bin, List.of(fallback)));
        assertEquals(Optional.empty(), Executables.find("mosquitto", "/nonexistent", List.of(fallback)));
        assertEquals(Optional.empty(), Executables.find("mosquitto", null, List.of()));

        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.empty(), Executables.find("mosquitto", bin.toString(), List.of()), "not executable");
    }

    @Test
    void missingMosquittoFailsUnderCiAndSkipsElsewhere() {
        IllegalStateException ci = assertThrows(IllegalStateException.class, () -> Executables.missing("mosquitto", "mosquitto", true));
        assertEquals("mosquitto not installed; .ci/run installs mosquitto", ci.getMessage());
        TestAbortedException local = assertThrows(TestAbortedException.class, () -> Executables.missing("mosquitto", "mosquitto", false));
        assertTrue(local.getMessage().contains("mosquitto not installed"), local.getMessage());
    }

    @Test
    void startFailureQuotesMosquittosLog() throws Exception {
        Path executable = MosquittoBroker.requireExecutable();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MosquittoBroker.startOn(executable, taken.getLocalPort()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("mosquitto.log"), e.getMessage());
            assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        }
    }

    @Test
    void reportsTheInstalledVersion() throws Exception {
        Path executable = MosquittoBroker.requireExecutable();
        Process p = new ProcessBuilder(executable.toString(), "-h").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        System.out.println("[version] " + first);
        assertTrue(first.startsWith("mosquitto version 2."), first);
    }
}
