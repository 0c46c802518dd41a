package io.grpcmqtt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Loopback ports and other small helpers of the fixtures. */
final class Loopback {

    static final String HOST = "127.0.0.1";

    private Loopback() {}

    /** A port that was free on 127.0.0.1 a moment ago (bound to port 0, then released). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
        }
    }

    /** Whether a TCP connection to 127.0.0.1:port is accepted now. */
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String uri(int port) {
        return "tcp://" + HOST + ":" + port;
    }

    /** The last {@code maxLines} lines of a text file, or a note why there are none. */
    static String tail(Path file, int maxLines) {
        try {
            if (!Files.exists(file)) {
                return "(" + file + " does not exist)";
            }
            var lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (lines.isEmpty()) {
                return "(" + file + " is empty)";
            }
            return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Best effort: a leftover temp folder is not worth failing a test over.
        }
    }

    /** Registers a JVM shutdown hook; returns it so it can be removed. */
    static Thread onShutdown(String name, Runnable action) {
        Thread hook = new Thread(action, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Removes a hook added by {@link #onShutdown}, unless the JVM is already shutting down. */
    static void removeShutdownHook(Thread hook) {
        if (hook == null || hook == Thread.currentThread()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs (or ran) anyway.
        }
    }
}
