package io.grpcmqtt.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders the HiveMQ CE {@code config.xml} for an {@link EmbeddedBroker}.
 *
 * <p>Element names follow the {@code config.xsd} shipped inside
 * {@code hivemq-community-edition-embedded} 2025.5. Every MQTT 5 feature grpc-mqtt relies on is
 * stated explicitly (even where HiveMQ's default already enables it), so a changed default in a
 * later HiveMQ release cannot silently switch one off.
 */
final class HiveMqConfigXml {

    /** HiveMQ's upper bound for {@code <message-expiry><max-interval>} (seconds). */
    static final long MAX_MESSAGE_EXPIRY_SECONDS = 4_294_967_296L;
    /** The MQTT 5 maximum session expiry interval (seconds); HiveMQ's upper bound too. */
    static final long MAX_SESSION_EXPIRY_SECONDS = 4_294_967_295L;

    private HiveMqConfigXml() {}

    static String render(String bindAddress, int port, int receiveMaximum, long maxQueuedMessages,
            int maxPacketSize) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Written by io.grpcmqtt.broker.EmbeddedBroker; regenerated on every start. -->
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>grpc-mqtt-tcp</name>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                        <retained-messages>
                            <enabled>true</enabled>
                        </retained-messages>
                        <wildcard-subscriptions>
                            <enabled>true</enabled>
                        </wildcard-subscriptions>
                        <shared-subscriptions>
                            <enabled>true</enabled>
                        </shared-subscriptions>
                        <subscription-identifier>
                            <enabled>true</enabled>
                        </subscription-identifier>
                        <quality-of-service>
                            <max-qos>2</max-qos>
                        </quality-of-service>
                        <message-expiry>
                            <max-interval>%d</max-interval>
                        </message-expiry>
                        <session-expiry>
                            <max-interval>%d</max-interval>
                        </session-expiry>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <receive-maximum>
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                </hivemq>
                """.formatted(port, escape(bindAddress), maxQueuedMessages,
                MAX_MESSAGE_EXPIRY_SECONDS, MAX_SESSION_EXPIRY_SECONDS, maxPacketSize, receiveMaximum);
    }

    static void write(Path configFolder, String xml) throws IOException {
        Files.writeString(configFolder.resolve("config.xml"), xml, StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
