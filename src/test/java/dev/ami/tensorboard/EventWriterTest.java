package dev.ami.tensorboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The event files, read back by a reader that shares no code with the writer: a Python script that decodes the
 * TFRecord framing, the masked CRC-32C and the protobuf fields by hand (src/test/resources/tensorboard).
 */
class EventWriterTest {

  /** The reader's output for {@code file}. */
  static JsonObject read(Path file) throws Exception {
    Path script = Path.of(System.getProperty("ami.project.dir", "."), "src/test/resources/tensorboard/read_events.py");
    Process p = new ProcessBuilder("python3", script.toString(), file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("the reader accepts the file: %s", out).isZero();
    return new JsonObject(out.strip());
  }

  static boolean hasPython() {
    try {
      return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  @DisplayName("scalars, an image and a text come back with their tags, steps and values; CRCs check")
  void readBack() throws Exception {
    assumeThat(hasPython() || "true".equals(System.getenv("CI"))).as("python3 is needed to read the files back")
        .isTrue();
    Path dir = TestRuntime.tempDir("ami-tb");
    Path file;
    float[] chw = new float[3 * 4 * 6];
    chw[0] = 1f; // one red pixel
    try (EventWriter w = new EventWriter(dir, 1_765_100_000_000L)) {
      file = w.file();
      w.scalar("loss/vae", 10, 0.25, 1_765_100_001_000L);
      w.scalar("reward/mean", 11, -3.5, 1_765_100_002_000L);
      w.image("frame/seen", 12, Png.encode(chw, 4, 6), 4, 6, 1_765_100_003_000L);
      w.text("config", 0, "agent:\n  hz: 10", 1_765_100_004_000L);
    }
    assertThat(file.getFileName().toString()).matches("events\\.out\\.tfevents\\.1765100000\\..+");
    JsonObject read = read(file);
    assertThat(read.getBoolean("crc_vector_ok")).as("the reader's CRC-32C meets the published test vectors").isTrue();
    JsonArray events = read.getJsonArray("events");
    assertThat(events).hasSize(5);
    assertThat(events.getJsonObject(0).getString("file_version")).isEqualTo("brain.Event:2");
    JsonObject loss = value(events, 1);
    assertThat(loss.getString("tag")).isEqualTo("loss/vae");
    assertThat(loss.getDouble("value")).isEqualTo(0.25);
    assertThat(events.getJsonObject(1).getLong("step")).isEqualTo(10);
    assertThat(events.getJsonObject(1).getDouble("wall_time")).isEqualTo(1_765_100_001.0);
    assertThat(value(events, 2).getDouble("value")).isEqualTo(-3.5);
    assertThat(events.getJsonObject(2).getLong("step")).isEqualTo(11);
    JsonObject image = value(events, 3);
    assertThat(image.getString("kind")).isEqualTo("image");
    assertThat(List.of(image.getInteger("height"), image.getInteger("width"), image.getInteger("colorspace")))
        .containsExactly(4, 6, 3);
    assertThat(image.getBoolean("png_magic")).isTrue();
    JsonObject text = value(events, 4);
    assertThat(text.getString("plugin")).isEqualTo("text");
    assertThat(text.getInteger("dtype")).as("DT_STRING").isEqualTo(7);
    assertThat(text.getJsonArray("strings").getString(0)).isEqualTo("agent:\n  hz: 10");
  }

  @Test
  @DisplayName("the writer's masked CRC-32C of the published check string matches the hand-computed value")
  void maskedCrcKnownAnswer() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    // CRC-32C("123456789") = 0xE3069283; rotated right by 15: 0x2507C60D; plus 0xA282EAD8 (mod 2^32): 0xC78AB0E5
    assertThat(TfRecords.maskedCrc32c(check, 0, check.length)).isEqualTo(0xC78AB0E5);
  }

  private static JsonObject value(JsonArray events, int i) {
    return events.getJsonObject(i).getJsonArray("values").getJsonObject(0);
  }
}
