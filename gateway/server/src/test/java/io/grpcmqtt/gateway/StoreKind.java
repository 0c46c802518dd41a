package io.grpcmqtt.gateway;

import io.grpcmqtt.gateway.store.MessageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The two stores every behavioural test runs against; {@code @MethodSource("io.grpcmqtt.gateway.StoreKind#both")}. */
enum StoreKind {
  H2 {
    @Override
    Location newLocation() {
      try {
        Path dir = Files.createTempDirectory("grpc-mqtt-gateway-h2-");
        return new Location(this, List.of("--data-dir", dir.toString()), dir) {
          @Override
          MessageStore open() {
            return MessageStore.h2(dir);
          }
        };
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  },
  POSTGRES {
    @Override
    Location newLocation() {
      String url = PostgresServer.shared().newSchemaUrl();
      return new Location(this, List.of("--jdbc-url", url), null) {
        @Override
        MessageStore open() {
          return MessageStore.postgres(url);
        }
      };
    }
  };

  static Stream<StoreKind> both() {
    return Stream.of(H2, POSTGRES);
  }

  /** A fresh, empty place for a store: an H2 folder or a PostgreSQL schema. */
  abstract Location newLocation();

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Where one store lives; {@link #open()} may be called again after the last store was closed. */
  abstract static class Location implements AutoCloseable {
    final StoreKind kind;
    /** The Gateway command-line options that select this store. */
    final List<String> cliArgs;
    private final Path dir;

    Location(StoreKind kind, List<String> cliArgs, Path dir) {
      this.kind = kind;
      this.cliArgs = cliArgs;
      this.dir = dir;
    }

    abstract MessageStore open();

    @Override
    public void close() {
      if (dir != null) {
        try (Stream<Path> paths = Files.walk(dir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
          // best effort
        }
      }
    }
  }
}
