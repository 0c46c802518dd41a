package io.grpcmqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamFrame;
import io.grpcmqtt.bridge.test.v1.EchoProto;
import io.grpcmqtt.bridge.test.v1.EchoRequest;
import io.grpcmqtt.testing.TestBroker;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the ingress puts on the wire when a caller's deadline passes: {@code DEADLINE_EXCEEDED} in
 * trailers, never a reset stream. Read with a bare HTTP/2 client, which has no deadline timer of
 * its own to hide a reset behind (grpc-js reports a reset as {@code CANCELLED}).
 */
class IngressDeadlineTest {
  private static final MethodTypes DESCRIBED = MethodTypes.of(List.of(EchoProto.getDescriptor()));

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.grpcmqtt.testing.Brokers#both")
  void expiredDeadlineIsAnsweredWithTrailers(TestBroker broker) throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try (Topology t = Topology.ingressToNative(broker, DESCRIBED)) {
      BlockingQueue<Http2StreamFrame> frames = new LinkedBlockingQueue<>();
      Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                  new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}
                  }));
            }
          })
          .connect("127.0.0.1", t.ingressPort).sync().channel();
      Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
          .handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
              frames.add(frame);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
              // A stream's RST_STREAM arrives as an event, not a read.
              if (event instanceof Http2ResetFrame) {
                frames.add((Http2ResetFrame) event);
              }
            }
          })
          .open().sync().getNow();

      long start = System.nanoTime();
      stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
          .method("POST").scheme("http").authority("127.0.0.1")
          .path("/grpcmqtt.bridge.test.v1.Echo/Unary")
          .add("content-type", "application/grpc").add("te", "trailers")
          .add("grpc-timeout", "700m")));
      byte[] message =
          EchoRequest.newBuilder().setText("slow").setSleepMs(10_000).build().toByteArray();
      ByteBuf body = Unpooled.buffer().writeByte(0).writeInt(message.length).writeBytes(message);
      stream.writeAndFlush(new DefaultHttp2DataFrame(body, true)).sync();

      Http2HeadersFrame trailers = null;
      for (Http2StreamFrame f; trailers == null
          && (f = frames.poll(20, TimeUnit.SECONDS)) != null; ) {
        assertTrue(!(f instanceof Http2ResetFrame), "the ingress reset the stream: " + f);
        if (f instanceof Http2HeadersFrame && ((Http2HeadersFrame) f).isEndStream()) {
          trailers = (Http2HeadersFrame) f;
        }
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertNotNull(trailers, "no trailers within 20 s");
      assertEquals("4", String.valueOf(trailers.headers().get("grpc-status")),
          "trailers: " + trailers.headers());
      assertTrue(elapsedMs >= 600 && elapsedMs < 10_000, "answered after " + elapsedMs + " ms");
      // The deadline also reached the service, which gave up when it passed.
      assertEquals("Unary:slow", t.service.cancelled.poll(15, TimeUnit.SECONDS));
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
