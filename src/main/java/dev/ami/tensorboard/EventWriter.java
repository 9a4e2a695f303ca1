package dev.ami.tensorboard;

import com.google.protobuf.ByteString;
import dev.ami.tensorboard.proto.DataType;
import dev.ami.tensorboard.proto.Event;
import dev.ami.tensorboard.proto.SourceMetadata;
import dev.ami.tensorboard.proto.Summary;
import dev.ami.tensorboard.proto.SummaryMetadata;
import dev.ami.tensorboard.proto.TensorProto;
import dev.ami.tensorboard.proto.TensorShapeProto;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One TensorBoard event file, {@code events.out.tfevents.<epoch seconds>.<host>}: a version record, then one
 * event per call. Not thread-safe; the TensorBoard verticle writes from one thread.
 */
public final class EventWriter implements Closeable {
  static final String FILE_VERSION = "brain.Event:2";
  private static final String TEXT_PLUGIN = "text";

  private final Path file;
  private final OutputStream out;

  /** Opens a new event file in {@code dir} (made if missing), named as TensorBoard names its own. */
  public EventWriter(Path dir, long wallMillis) throws IOException {
    Files.createDirectories(dir);
    String host = hostName();
    Path f = dir.resolve("events.out.tfevents." + wallMillis / 1000 + "." + host);
    for (int i = 1; Files.exists(f); i++) { // two writers in one second (a restart): never append to another's file
      f = dir.resolve("events.out.tfevents." + wallMillis / 1000 + "." + host + "." + i);
    }
    this.file = f;
    this.out = new BufferedOutputStream(Files.newOutputStream(f, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), 1 << 16);
    write(Event.newBuilder().setWallTime(wallMillis / 1000.0).setFileVersion(FILE_VERSION)
        .setSourceMetadata(SourceMetadata.newBuilder().setWriter("ami-runtime")).build());
    out.flush();
  }

  public Path file() {
    return file;
  }

  /** A scalar (TensorBoard's scalars dashboard). */
  public void scalar(String tag, long step, double value, long wallMillis) throws IOException {
    summary(step, wallMillis, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value).build());
  }

  /** An image, already encoded (PNG), of {@code height} × {@code width} RGB. */
  public void image(String tag, long step, byte[] png, int height, int width, long wallMillis) throws IOException {
    summary(step, wallMillis, Summary.Value.newBuilder().setTag(tag).setImage(Summary.Image.newBuilder()
        .setHeight(height).setWidth(width).setColorspace(3).setEncodedImageString(ByteString.copyFrom(png))).build());
  }

  /** A text (TensorBoard's text dashboard renders it as Markdown). */
  public void text(String tag, long step, String text, long wallMillis) throws IOException {
    TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder())
        .addStringVal(ByteString.copyFrom(text, StandardCharsets.UTF_8)).build();
    SummaryMetadata meta = SummaryMetadata.newBuilder()
        .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(TEXT_PLUGIN)).build();
    summary(step, wallMillis, Summary.Value.newBuilder().setTag(tag).setMetadata(meta).setTensor(tensor).build());
  }

  private void summary(long step, long wallMillis, Summary.Value value) throws IOException {
    write(Event.newBuilder().setWallTime(wallMillis / 1000.0).setStep(step)
        .setSummary(Summary.newBuilder().addValue(value)).build());
  }

  private void write(Event e) throws IOException {
    TfRecords.write(out, e.toByteArray());
  }

  /** Pushes what is buffered to the file (TensorBoard reads what is there). */
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
    } catch (IOException e) {
      return "localhost";
    }
  }
}
