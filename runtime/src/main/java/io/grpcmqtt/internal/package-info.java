/**
 * The runtime's MQTT transport for grpc-java. Other modules must not use this package: it is
 * public Java only so the runtime's public packages can reach it, and the build fails on any
 * other module that names it (CONTRIBUTING.md, "Internal is internal"). docs/architecture.md
 * draws the layers and the path of a unary call; this page says which thread runs what.
 *
 * <h2>Layers</h2>
 *
 * <p>From the top down: the public builders ({@code io.grpcmqtt}); the transports, one per MQTT
 * connection ({@link MqttClientTransport}, {@link MqttServerTransport}); the streams, one per call
 * ({@link MqttClientStream}, {@link MqttServerStream}, which receive through {@link
 * InboundMessages}, send through {@link OutboundWindow} and publish through the {@link
 * StreamPublisher} their transport bound to the call, which hands each message straight to the
 * connection); each transport's {@link TransportConnection} (its will, subscriptions, own
 * publishes and close); and the public {@link io.grpcmqtt.mqtt.MqttConnection}, implemented by
 * {@link PahoMqttConnection} (one layer; its helpers {@link PahoPublishWindow} and {@link
 * PahoMessages} are called, not passed through) and {@link HiveMqttConnection}. Only those
 * implementation classes touch a client library.
 *
 * <h2>Threads</h2>
 *
 * <p>The runtime starts threads in one place, {@link RuntimeExecutors}; the rest belong to the MQTT
 * client library, to the user or to the caller. Which thread runs what, and whether it may block:
 *
 * <ul>
 *   <li><b>The connection's delivery thread</b> runs every message that arrives: Paho's {@code
 *       MQTT Call: <clientId>}, or the HiveMQ client's Netty event loop ({@code
 *       com.hivemq.client.mqtt-N-M}, shared by its connections). It decodes the message ({@link
 *       Frame}), routes it, and changes the stream's state; a server request becomes a gRPC
 *       stream there. <b>It must never block</b>, because it is the connection's only delivery
 *       thread. Service code and call listeners run elsewhere, unless the user chose {@code
 *       directExecutor()}.
 *   <li><b>Publish outcomes</b> (PUBACKs, {@link TransportConnection.PublishCallback}) run on
 *       the same delivery thread: Paho's {@code MQTT Call} thread, or the Netty event loop that
 *       read the PUBACK ({@link HiveMqttConnection} sets the HiveMQ client's application
 *       scheduler to run them there rather than on RxJava's computation pool). A publish that
 *       fails at once reports on the publishing thread. None of these may block.
 *   <li><b>The call executor</b> is the one a builder is given, or {@link RuntimeExecutors}'
 *       default call pool, a {@link CallPool} ({@code grpc-mqtt-executor-N}): one queue served by
 *       about as many runners as cores, which take queued tasks without parking in between, and a
 *       runners more whenever the oldest queued task has waited 5 ms (as many as wait, at most
 *       doubling the pool); idle runners end after a minute.
 *       Each builder wraps it in a {@link DeferringExecutor} and hands it to grpc-java. It runs
 *       service handlers, interceptors and client call listeners, <b>which may block</b>, even on a
 *       call to a service of the same process (a task queued behind blocked runners then waits
 *       5-10 ms for a new one; runners the watchdog found held by one task stop counting as
 *       awake, so later tasks do not wait). While the delivery thread
 *       handles one message, {@code DeferringExecutor} keeps a {@code ThreadLocal}; the hand-offs
 *       that message causes leave as one task per call. A blocking stub's callbacks run on the
 *       caller's own thread (grpc-java's {@code ThreadlessExecutor}).
 *   <li><b>The caller's thread</b> runs a call's start, messages and half-close, and so the
 *       publishing of its requests. It may block.
 *   <li><b>The runtime's scheduler</b> ({@code grpc-mqtt-timer-N}, two threads, {@link
 *       RuntimeExecutors.Lease#schedule}) runs every timed task: call deadlines on both sides
 *       (grpc-java asks the transports for it), grpc-java's channel timers, a server's client
 *       probes and barrier timeout, the {@link ChunkAssembler} reassembly check, {@link
 *       MqttClientTransport}'s no-subscriber re-checks, {@link PahoMqttConnection}'s 32202 retry and
 *       reconnect back-off. <b>It must not block.</b> A {@link HorizonScheduler}: scheduling a
 *       deadline more than 100 ms away wakes neither thread.
 *   <li><b>The runtime's blocking executor</b> ({@code grpc-mqtt-blocking-N}, bounded, {@link
 *       RuntimeExecutors.Lease#runBlocking}) runs what waits for the broker: a channel
 *       transport's connect and subscribe, every transport's close ({@link TransportLifecycle}:
 *       the final status, then DISCONNECT), a Paho reconnect. A server connects and subscribes on
 *       the thread that calls {@code Server.start()}.
 * </ul>
 *
 * <p>{@link RuntimeExecutors} is shared by the process and reference counted: each channel (its
 * {@link MqttClientTransportFactory}), server transport and Paho connection holds a {@link
 * RuntimeExecutors.Lease} until it has terminated, and the last release shuts the three pools
 * down, so none of their threads outlive the last channel, server and connection.
 *
 * <h2>Streams, locks and publish callbacks</h2>
 *
 * <p>A stream changes its state under its own monitor. Listener callbacks are queued on the
 * stream's {@link StreamTasks} (what grpc-java's {@code SynchronizationContext} does, without a
 * node per task), and every stream method drains it after unlocking. They then run on that thread, in order, one thread at a time. The callbacks are
 * grpc-java's stream listeners, which pass the work on to the call executor.
 *
 * <p>A stream publishes while it holds its monitor, so that frames leave in sequence order.
 * Publishing never blocks, because the connection queues what its window cannot send yet. With
 * Paho the lock order is stream, then {@code PahoMqttConnection}'s lock, then Paho's, and {@code
 * PahoMqttConnection} runs no callback under its own lock. A publish can fail at once, on the publishing thread, with the
 * stream's monitor still held: a string MQTT refuses, a frame over the broker's packet limit, or a
 * closed connection. So a stream's publish callbacks are {@link OutsideStreamLock}s (a callback
 * made per publish extends it and keeps the outcome in its fields; a shared one is wrapped). That
 * class queues the outcome on the stream's {@code StreamTasks}. It runs the outcome at
 * once when the current thread does not hold that stream's monitor. Otherwise the outcome runs
 * from the stream's drain after it unlocks. A stream may take its transport's lock; a transport
 * never calls into a stream while holding its own.
 */
package io.grpcmqtt.internal;
