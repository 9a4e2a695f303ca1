package dev.ami.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorFlow's record writer frames event files: per record the data's length (uint64,
 * little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
 */
final class TfRecords {
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecords() {
  }

  /** TensorFlow's masked CRC: rotate right by 15 and add a constant, so a CRC of data holding CRCs stays strong. */
  static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  /** Writes one record. */
  static void write(OutputStream out, byte[] data) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(data.length);
    header.putInt(maskedCrc32c(header.array(), 0, 8));
    out.write(header.array());
    out.write(data);
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc32c(data, 0, data.length));
    out.write(footer.array());
  }
}
