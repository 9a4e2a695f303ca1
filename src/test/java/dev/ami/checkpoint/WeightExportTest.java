package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import dev.ami.app.Main;
import dev.ami.bus.ControlReply;
import dev.ami.params.ParamSnapshot;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code export} read back with a safetensors parser of the test's own (8-byte header length, JSON header, raw
 * little-endian data): every tensor's name, shape and values against the checkpoint's.
 */
@RuntimeTest
class WeightExportTest {

  @Test
  @DisplayName("export writes every parameter of every model with its name, shape and values; SConv's complex "
      + "parameters as .re and .im")
  void roundTrip() throws Exception {
    Path runs = TestRuntime.tempDir("ami-export");
    Path checkpoint;
    try (TestRuntime rt = TestRuntime.start(Map.of("system.runs_dir", runs.toString(), "vae.min_new", 0))) {
      ControlReply c = rt.control("checkpoint", 0);
      assertThat(c.ok()).as(c.error()).isTrue();
      checkpoint = Path.of(c.detail().getString("path"));
    }
    Path out = TestRuntime.tempDir("ami-exported");
    int code = Main.execute(new String[] {"export", "--resume", "latest", "--out", out.toString(),
        "model.preset=curiosity-small", "env=noise", "system.runs_dir=" + runs});
    assertThat(code).isZero();
    JsonObject index = new JsonObject(Files.readString(out.resolve("models.json")));
    assertThat(index.fieldNames()).containsExactlyInAnyOrder("vae", "fd", "policy");

    io.vertx.core.Vertx v = io.vertx.core.Vertx.vertx();
    CheckpointReader.Loaded loaded;
    try {
      var shapes = ModelShapes.of(TestRuntime.smallConfig(Map.of()));
      loaded = CheckpointReader.load(CheckpointReader.check(checkpoint, shapes), null);
    } finally {
      v.close();
    }
    try {
      boolean sawComplex = false;
      for (String key : index.fieldNames()) {
        byte[] file = Files.readAllBytes(out.resolve(key + ".safetensors"));
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = new JsonObject(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        JsonArray tensors = index.getJsonObject(key).getJsonArray("tensors");
        ParamSnapshot s = loaded.snapshots().get(key);
        int at = 0;
        for (String group : s.groupNames()) {
          for (NDArray a : s.group(group)) {
            float[] expected = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            JsonObject t = tensors.getJsonObject(at++);
            assertThat(t.getString("group")).isEqualTo(group);
            if (t.getString("part") == null) {
              assertThat(values(file, headerLength, header.getJsonObject(t.getString("name")))).as(t.getString("name"))
                  .containsExactly(expected);
              assertThat(t.getJsonArray("shape").stream().map(x -> ((Number) x).longValue()).toList())
                  .isEqualTo(dims(a));
            } else {
              sawComplex = true;
              JsonObject im = tensors.getJsonObject(at++);
              assertThat(t.getString("name")).endsWith(".re");
              assertThat(im.getString("name")).endsWith(".im");
              int d = expected.length / 2;
              float[] re = values(file, headerLength, header.getJsonObject(t.getString("name")));
              float[] imag = values(file, headerLength, header.getJsonObject(im.getString("name")));
              assertThat(re).containsExactly(java.util.Arrays.copyOfRange(expected, 0, d));
              assertThat(imag).containsExactly(java.util.Arrays.copyOfRange(expected, d, 2 * d));
            }
          }
        }
        assertThat(at).as("every tensor of %s is accounted for", key).isEqualTo(tensors.size());
      }
      assertThat(sawComplex).as("the forward model's SConv parameters").isTrue();
    } finally {
      loaded.snapshots().values().forEach(ParamSnapshot::release);
      loaded.trainer().close();
    }
  }

  private static List<Long> dims(NDArray a) {
    return java.util.Arrays.stream(a.getShape().getShape()).boxed().toList();
  }

  /** A tensor's values as float (F32 as is, F64 narrowed), read from the file's data section. */
  private static float[] values(byte[] file, long headerLength, JsonObject entry) {
    assertThat(entry).as("the tensor is in the file's header").isNotNull();
    JsonArray offsets = entry.getJsonArray("data_offsets");
    int begin = (int) (8 + headerLength + offsets.getLong(0));
    int end = (int) (8 + headerLength + offsets.getLong(1));
    ByteBuffer b = ByteBuffer.wrap(file, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
    String dtype = entry.getString("dtype");
    int n = (end - begin) / ("F64".equals(dtype) ? 8 : 4);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = "F64".equals(dtype) ? (float) b.getDouble() : b.getFloat();
    }
    return out;
  }
}
