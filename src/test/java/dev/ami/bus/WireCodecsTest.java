package dev.ami.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("wire codecs of the records that cross a JVM boundary")
class WireCodecsTest {
  private static final String UNICODE = "ünïcødé ✓ 日本語 🤖";
  /** What Vert.x has written before the body when it calls a codec: the decoder must start at its offset. */
  private static final byte[] LEADING = {9, 8, 7, 6, 5, 4, 3};

  /** Every record type with a wire codec, once with every field set and once with nulls, NaN and empties. */
  static Stream<Arguments> samples() {
    Map<String, ModelTick> models = new LinkedHashMap<>();
    models.put("vae", new ModelTick(3, 5, 1.25, 0.5, 12.75));
    models.put(UNICODE, new ModelTick(-1, Long.MAX_VALUE, Double.NaN, Double.NaN, Double.NEGATIVE_INFINITY));
    return Stream.of(
        new ControlCommand("redeploy", 3, new JsonObject().put("target", "agent")
            .put("model", new JsonObject().put("preset", UNICODE).put("n", 5L)).put("list", new JsonArray().add(1.5))),
        new ControlCommand("pause", 0),
        ControlReply.ok(RunState.RESTARTING, new JsonObject().put("ticks", 5).put("nothing", (Object) null)),
        new ControlReply(false, null, UNICODE, null),
        step(new Random(1), 4),
        new StepRecord(0, new byte[0], 0, new int[0], null, Float.NaN, Float.NaN, null, false, false, Map.of(), 0),
        new TickRecord(7, 0.25, 3.5, 2.0, models, 0.125, new float[] {0.5f, Float.NaN, 1e-30f}, 12, 2,
            1_700_000_000_000L, false, new Place(12, -3, 8)),
        new TickRecord(8, -1, 0, 0, Map.of(), Double.NaN, null, 0, 0, 0, true, null),
        new PpoUpdate(3, 9, 47, 1, 0.5, -0.01, 0.25, 1.5, 1.75, 0.125, Double.POSITIVE_INFINITY, 0.0625, 1e-4,
            new float[] {1f, 1.1f, 0.5f, 0.69f, 0.6f}, 0.0125, 0.3, 237.8, 14.5, 2, 1, 1_700_000_000_000L),
        new PpoUpdate(0, 0, 0, 0, Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, null, Double.NaN, 0, 0, 1, 0, 0, 0),
        new TrainRecord(UNICODE, 10, 1.5, Double.POSITIVE_INFINITY, 3, 100, 2, 1_700_000_000_000L),
        new TrainRecord("", 0, Double.NaN, Double.NaN, 0, 0, 0, 0),
        new Event("warn", "source-down", UNICODE, 1_700_000_000_000L),
        new Event(null, "", null, Long.MIN_VALUE),
        new WorldRecord("maze", 10, 3, 200, 4, 9, 61_000.5, 0.25, 1),
        new WorldRecord(null, 0, 0, 0, 0, 0, 0, 0, 0),
        new ObservationRecord(4, new float[] {0f, 0.5f, 1f, Float.NaN}, 1, 1, 9, new float[] {-2f, 3f}, 6, 7),
        new ObservationRecord(0, null, 0, 0, 0, null, 0, 0),
        new ExpectedFrameRecord(4, new float[] {0.25f, 0.75f, 1f}, 1, 1, 8, 9),
        new ExpectedFrameRecord(0, new float[0], 0, 0, 0, 0),
        new CheckpointRecord("interval", "/tmp/" + UNICODE, 1L << 40, 12.5, 0.25, 11.0, null, 5),
        new CheckpointRecord("shutdown", null, 0, 3.0, Double.NaN, Double.NaN, "disk full: " + UNICODE, 6),
        new RedeployRecord("all", "curiosity", 1200.5, 3.25, 1, 100.0, 40.0, List.of(UNICODE, ""), null, 7),
        new RedeployRecord("agent", null, 10, Double.NaN, -1, Double.NaN, Double.NaN, List.of(), "bad model", 8),
        new SnapshotOffer("node-1", "vae", 42, "VaeSpec[" + UNICODE + "]", 9),
        new SnapshotOffer("n", "fd", 1, null, 0),
        new NodeBeat("node-2", List.of("agent", "console"), 10),
        new NodeBeat("node-3", List.of(), 11),
        new CheckpointPartRequest("6f1c-" + UNICODE, 12, 1_700_000_000_123L, "operator", "a1b2c3d4",
            "20261207-100000-lab", true, 5000, 3, 2, 1, new float[] {0.5f, Float.NaN, -1e-30f}),
        CheckpointPartRequest.standalone(null, "shutdown", 0),
        new CheckpointPartReply("6f1c", "00012-20261207T103000.123Z.state", "/runs/" + UNICODE, 1L << 33,
            "ab" + "0".repeat(62), 48.5, 519.25, "e5f60718", "20261207-100002", null, 12),
        CheckpointPartReply.failed(null, "n", null, "disk full: " + UNICODE))
        .map(r -> Arguments.of(r.getClass().getSimpleName(), r));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  @DisplayName("a record decoded from the offset Vert.x passes has every field equal, arrays by content")
  void roundTrip(String type, Record sent) {
    Buffer buffer = afterLeading(codec(sent), sent);
    Record back = codec(sent).decodeFromWire(LEADING.length, buffer);
    assertThat(buffer.getBytes(0, LEADING.length)).as("the bytes before the body").isEqualTo(LEADING);
    assertSameFields(sent, back);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  @DisplayName("local delivery passes the record itself: transform returns the same instance")
  void transformIsIdentity(String type, Record sent) {
    assertThat(codec(sent).transform(sent)).isSameAs(sent);
  }

  @Test
  @DisplayName("ParamsPublished leaves its nanoTime behind: it arrives as FROM_ANOTHER_JVM with the wall clock")
  void paramsPublishedKeepsNanosLocal() {
    ParamsPublished sent = new ParamsPublished("vae", 12, 3400, 987_654_321L, ParamsPublished.wallMicrosNow());
    assertThat(sent.sameJvm()).isTrue();
    assertThat(WireFormats.PARAMS_PUBLISHED.transform(sent)).isSameAs(sent);

    ParamsPublished back = decode(WireFormats.PARAMS_PUBLISHED, encode(WireFormats.PARAMS_PUBLISHED, sent));
    assertThat(back).isEqualTo(new ParamsPublished("vae", 12, 3400, ParamsPublished.FROM_ANOTHER_JVM,
        sent.publishedWallMicros()));
    assertThat(back.sameJvm()).isFalse();
    ParamsPublished otherNanos = new ParamsPublished("vae", 12, 3400, 5, sent.publishedWallMicros());
    assertThat(encode(WireFormats.PARAMS_PUBLISHED, otherNanos).getBytes())
        .as("nothing of publishedNanos is on the wire")
        .isEqualTo(encode(WireFormats.PARAMS_PUBLISHED, sent).getBytes());
    assertThat(sent.publishedWallMicros() / 1000).isCloseTo(System.currentTimeMillis(), Offset.offset(60_000L));
  }

  @Test
  @DisplayName("a StepRecord of 3x84x84 uint8 frame, 13 log-probs and 2x4x512 hidden floats costs at most 256 bytes"
      + " over its raw arrays")
  void stepRecordIsCompact() {
    StepRecord sent = step(new Random(7), 84);
    long raw = sent.frame().length + 4L * (sent.action().length + sent.logp().length + sent.hidden().length);
    Buffer buffer = afterLeading(WireFormats.STEP, sent);
    int encoded = buffer.length() - LEADING.length;
    assertThat(raw).isEqualTo(3 * 84 * 84 + 4 * (5 + 13 + 2 * 4 * 512));
    assertThat((long) encoded).as("encoded bytes, raw payload %d", raw).isBetween(raw, raw + 256);
    assertSameFields(sent, WireFormats.STEP.decodeFromWire(LEADING.length, buffer));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  @DisplayName("every truncation of a body fails with an exception naming the record")
  void truncated(String type, Record sent) {
    Buffer whole = afterLeading(codec(sent), sent);
    for (int end = LEADING.length; end < whole.length(); end++) {
      Buffer cut = whole.slice(0, end);
      assertThatThrownBy(() -> codec(sent).decodeFromWire(LEADING.length, cut))
          .as("cut at %d of %d", end, whole.length())
          .isInstanceOf(WireFormatException.class)
          .hasMessageStartingWith("cannot decode " + type + " from the wire: ");
    }
  }

  @Test
  @DisplayName("a corrupted length is refused before anything is allocated: negative or past the buffer's end")
  void corruptedLength() {
    Buffer buffer = encode(WireFormats.STEP, step(new Random(3), 84));
    int frameLength = 1 + 8; // format byte, tick
    for (int bad : new int[] {Integer.MAX_VALUE, 3 * 84 * 84 + 1_000_000}) {
      buffer.setInt(frameLength, bad);
      assertThatThrownBy(() -> WireFormats.STEP.decodeFromWire(0, buffer))
          .isInstanceOf(WireFormatException.class)
          .hasMessageContaining("StepRecord")
          .hasMessageContaining("byte array at offset 9 claims " + bad + " elements");
    }
    buffer.setInt(frameLength, -7);
    assertThatThrownBy(() -> WireFormats.STEP.decodeFromWire(0, buffer))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("StepRecord")
        .hasMessageContaining("negative length -7");

    Buffer tick = encode(WireFormats.TICK, new TickRecord(1, 0, 0, 0, Map.of(), 0, null, 0, 0, 0, false, null));
    tick.setInt(1 + 4 * 8, 100_000_000); // the models map's count: far more entries than bytes left
    assertThatThrownBy(() -> WireFormats.TICK.decodeFromWire(0, tick))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("TickRecord")
        .hasMessageContaining("map at offset 33 claims 100000000 elements");
  }

  @Test
  @DisplayName("a value that is not what the field allows is refused: bad boolean, unknown state, broken JSON")
  void badValues() {
    Buffer reply = encode(WireFormats.CONTROL_REPLY, ControlReply.ok(RunState.RUNNING, null));
    reply.setByte(1, (byte) 7);
    assertThatThrownBy(() -> WireFormats.CONTROL_REPLY.decodeFromWire(0, reply))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("ControlReply from the wire: boolean byte 7");

    Buffer unknown = Buffer.buffer();
    new WireWriter(unknown).u8(WireCodec.FORMAT).bool(true).string("SLEEPING").string(null).json(null);
    assertThatThrownBy(() -> WireFormats.CONTROL_REPLY.decodeFromWire(0, unknown))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("unknown RunState SLEEPING");

    Buffer json = Buffer.buffer();
    new WireWriter(json).u8(WireCodec.FORMAT).string("status").i32(0).string("{\"a\":");
    assertThatThrownBy(() -> WireFormats.CONTROL_COMMAND.decodeFromWire(0, json))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("ControlCommand from the wire: JSON object does not parse");
  }

  @Test
  @DisplayName("a body of another format version fails with a clear error naming both formats")
  void wrongFormat() {
    Buffer buffer = afterLeading(WireFormats.EVENT, Event.info("k", "m"));
    assertThat(buffer.getByte(LEADING.length)).isEqualTo((byte) WireCodec.FORMAT);
    buffer.setByte(LEADING.length, (byte) (WireCodec.FORMAT + 1));
    assertThatThrownBy(() -> WireFormats.EVENT.decodeFromWire(LEADING.length, buffer))
        .isInstanceOf(WireFormatException.class)
        .hasMessage("cannot decode Event from the wire: wire format 5, but this JVM reads format 4: the peer runs "
            + "another version of ami-runtime");
    assertThatThrownBy(() -> WireFormats.EVENT.decodeFromWire(buffer.length() + 1, buffer))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("outside the buffer");
  }

  @Test
  @DisplayName("known answers: the exact bytes of tiny records pin the format")
  void knownAnswers() {
    assertThat(encode(WireFormats.EVENT, new Event("info", "k", "m", 1)).getBytes()).isEqualTo(bytes(
        4,                                  // format
        0, 0, 0, 4, 'i', 'n', 'f', 'o',     // level: int32 UTF-8 length, bytes
        0, 0, 0, 1, 'k',                    // kind
        0, 0, 0, 1, 'm',                    // message
        0, 0, 0, 0, 0, 0, 0, 1));           // wallMillis: int64 big-endian
    assertThat(encode(WireFormats.CONTROL_COMMAND, new ControlCommand("st", 2, null)).getBytes()).isEqualTo(bytes(
        4,
        0, 0, 0, 2, 's', 't',
        0, 0, 0, 2,                         // n
        0xff, 0xff, 0xff, 0xff));           // args: null is length -1
    assertThat(encode(WireFormats.STEP, new StepRecord(1, new byte[] {1, 2, (byte) 255}, 1, new int[] {4}, null,
        0.5f, Float.NaN, null, true, false, Map.of("ae", 2L), 3)).getBytes()).isEqualTo(bytes(
        4,
        0, 0, 0, 0, 0, 0, 0, 1,             // tick
        0, 0, 0, 3, 1, 2, 0xff,             // frame: raw uint8 bytes
        0, 0, 0, 1,                         // side
        0, 0, 0, 1, 0, 0, 0, 4,             // action: int32 count, int32 elements
        0xff, 0xff, 0xff, 0xff,             // logp: null
        0x3f, 0, 0, 0,                      // value 0.5f: IEEE 754 big-endian
        0x7f, 0xc0, 0, 0,                   // reward NaN
        0xff, 0xff, 0xff, 0xff,             // hidden: null
        1, 0,                               // stale, chainStart
        0, 0, 0, 1, 0, 0, 0, 2, 'a', 'e',   // versions: int32 count, then key string, int64 value
        0, 0, 0, 0, 0, 0, 0, 2,
        0, 0, 0, 0, 0, 0, 0, 3));           // wallMillis
    assertThat(encode(WireFormats.CHECKPOINT_PART_REQUEST, CheckpointPartRequest.standalone(null, "s", 1))
        .getBytes()).isEqualTo(bytes(
        4,
        0xff, 0xff, 0xff, 0xff,             // id: null
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // sequence -1
        0, 0, 0, 0, 0, 0, 0, 1,             // stampMillis
        0, 0, 0, 1, 's',                    // reason
        0xff, 0xff, 0xff, 0xff,             // node: null
        0xff, 0xff, 0xff, 0xff,             // run: null
        0,                                  // agent
        0, 0, 0, 0, 0, 0, 0, 0,             // ticks
        0, 0, 0, 0, 0, 0, 0, 0,             // noFrameTicks
        0, 0, 0, 0, 0, 0, 0, 0,             // staleTicks
        0, 0, 0, 0, 0, 0, 0, 0,             // missedTicks
        0xff, 0xff, 0xff, 0xff));           // hidden: null
  }

  @Test
  @DisplayName("the records that may cross a JVM have a wire codec; those with native state stay local-only")
  void coverage() {
    assertThat(WireFormats.ALL.stream().<Class<?>>map(WireCodec::type)).containsExactlyInAnyOrder(ControlCommand.class,
        ControlReply.class, StepRecord.class, ParamsPublished.class, TickRecord.class, TrainRecord.class,
        PpoUpdate.class, Event.class, WorldRecord.class, ObservationRecord.class, ExpectedFrameRecord.class,
        CheckpointRecord.class,
        RedeployRecord.class, SnapshotOffer.class, NodeBeat.class, CheckpointPartRequest.class,
        CheckpointPartReply.class);
    assertThat(Codecs.LOCAL_ONLY).containsExactlyInAnyOrder(AgentState.class, AgentHandover.class);
    assertThatThrownBy(() -> new LocalRecordCodec<>(AgentState.class).encodeToWire(Buffer.buffer(), null))
        .isInstanceOf(UnsupportedOperationException.class).hasMessage("AgentState is local-only");
  }

  @Test
  @DisplayName("registering twice on one bus keeps the first codecs; local delivery still passes the instance")
  void registerAll() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx.eventBus(), List.of());
      Codecs.registerAll(vertx.eventBus(), List.of());
      StepRecord sent = step(new Random(2), 4);
      CompletableFuture<Object> got = new CompletableFuture<>();
      vertx.eventBus().consumer("wire-test", m -> got.complete(m.body()));
      vertx.eventBus().send("wire-test", sent);
      assertThat(got.get(10, TimeUnit.SECONDS)).isSameAs(sent);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A step as the curiosity agent makes it: uint8 frame of 3 × side × side, 13 log-probs, 2 × 4 × 512 hidden. */
  private static StepRecord step(Random random, int side) {
    byte[] frame = new byte[3 * side * side];
    random.nextBytes(frame);
    float[] logp = new float[13];
    float[] hidden = new float[2 * 4 * 512];
    for (int i = 0; i < logp.length; i++) {
      logp[i] = (float) -random.nextDouble();
    }
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) random.nextGaussian();
    }
    return new StepRecord(42, frame, side, new int[] {1, 0, 2, 1, 1}, logp, 0.75f, Float.NaN, hidden, true, true,
        Map.of(ModelKeys.VAE, 3L, ModelKeys.FD, 4L, ModelKeys.POLICY, 5L), 1_700_000_000_000L);
  }

  @SuppressWarnings("unchecked")
  private static WireCodec<Record> codec(Record r) {
    return (WireCodec<Record>) WireFormats.ALL.stream().filter(c -> c.type() == r.getClass()).findFirst()
        .orElseThrow();
  }

  private static <T> Buffer encode(WireCodec<T> codec, T value) {
    return encodeInto(Buffer.buffer(), codec, value);
  }

  /** Encoded after {@link #LEADING}, as Vert.x encodes a body after its own header. */
  private static <T> Buffer afterLeading(WireCodec<T> codec, T value) {
    return encodeInto(Buffer.buffer().appendBytes(LEADING), codec, value);
  }

  private static <T> Buffer encodeInto(Buffer buffer, WireCodec<T> codec, T value) {
    codec.encodeToWire(buffer, value);
    return buffer;
  }

  private static <T> T decode(WireCodec<T> codec, Buffer buffer) {
    return codec.decodeFromWire(0, buffer);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** Each record component equal: arrays by content, NaN equal to NaN, maps and JSON objects by equals. */
  private static void assertSameFields(Record sent, Record back) {
    assertThat(back).isNotSameAs(sent).isInstanceOf(sent.getClass());
    for (RecordComponent c : sent.getClass().getRecordComponents()) {
      try {
        Object want = c.getAccessor().invoke(sent);
        Object got = c.getAccessor().invoke(back);
        assertThat(Objects.deepEquals(want, got))
            .as("%s.%s: sent %s, got %s", sent.getClass().getSimpleName(), c.getName(),
                Arrays.deepToString(new Object[] {want}), Arrays.deepToString(new Object[] {got}))
            .isTrue();
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
  }
}
