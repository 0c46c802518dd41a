package io.grpcmqtt.codegen;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorRequest;
import com.google.protobuf.compiler.PluginProtos.CodeGeneratorResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Optional;

/**
 * {@code protoc-gen-grpc-mqtt}: protoc runs it with a {@code CodeGeneratorRequest} on stdin and
 * reads the {@code CodeGeneratorResponse} from stdout.
 *
 * <pre>
 * protoc --plugin=protoc-gen-grpc-mqtt=path/to/protoc-gen-grpc-mqtt \
 *        --grpc-mqtt_out=[prefix=grpc,java=true,asyncapi=true,version=1.0.0:]OUT_DIR  foo.proto
 * </pre>
 *
 * <p>Invalid options are reported through the response's {@code error} field, so protoc prints
 * them (each naming file, service, method and option) and exits non-zero; under a quiet Maven
 * build, which hides what protoc prints, they are also written to Maven's console ({@link
 * QuietMavenConsole}).
 */
public final class ProtocPlugin {
  static final String USAGE = String.join("\n",
      "protoc-gen-grpc-mqtt: a protoc plugin, run by protoc, not by hand.",
      "usage: protoc --plugin=protoc-gen-grpc-mqtt=<this launcher>"
          + " --grpc-mqtt_out=[<parameters>:]<dir> <files.proto>",
      "parameters (comma-separated):",
      "  prefix=<levels>   topic prefix of default topics (default grpc)",
      "  java=false        do not write the <Service>Mqtt.java classes",
      "  asyncapi=false    do not write the asyncapi/<package.Service>.asyncapi.json documents",
      "  version=<text>    info.version of the AsyncAPI documents (default 0.0.0)");

  private ProtocPlugin() {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.in, System.out, System.err,
        QuietMavenConsole.of(System.getenv(), ProcessHandle.current())));
  }

  /**
   * The whole plugin run, with its streams passed in so tests can drive it.
   *
   * @param console where errors are also written, besides the response
   */
  static int run(String[] args, InputStream in, OutputStream out, PrintStream err,
      Optional<QuietMavenConsole> console) throws IOException {
    if (args.length > 0) {
      boolean help = args[0].equals("--help") || args[0].equals("-h");
      err.println(help ? USAGE : "unexpected argument '" + args[0] + "'\n" + USAGE);
      return help ? 0 : 2;
    }
    CodeGeneratorRequest request;
    try {
      request = CodeGeneratorRequest.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      err.println("stdin is not a CodeGeneratorRequest (" + e.getMessage() + ")\n" + USAGE);
      return 2;
    }
    CodeGeneratorResponse response = Generator.generate(request);
    if (response.hasError()) {
      console.ifPresent(c -> c.printError(response.getError()));
    }
    response.writeTo(out);
    out.flush();
    return 0;
  }
}
