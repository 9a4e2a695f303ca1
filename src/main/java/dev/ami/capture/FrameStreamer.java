package dev.ami.capture;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG2VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Writes RGB pictures as a video stream or file with FFmpeg, e.g. {@code udp://127.0.0.1:5600} as MPEG-TS.
 * The built-in world uses it to look like OBS streaming VRChat; tests use it to make their own videos.
 */
public final class FrameStreamer implements AutoCloseable {
  static {
    avutil.av_log_set_level(avutil.AV_LOG_ERROR); // no stream banner on every start
  }

  private final FFmpegFrameRecorder recorder;
  private final OpenCVFrameConverter.ToMat toFrame = new OpenCVFrameConverter.ToMat();

  /**
   * Starts the recorder.
   *
   * @param format FFmpeg container (mpegts for udp/srt, flv for rtmp, mp4 for files)
   */
  public FrameStreamer(String url, String format, int width, int height, double fps) throws FrameRecorder.Exception {
    recorder = new FFmpegFrameRecorder(url, width, height, 0);
    recorder.setFormat(format);
    recorder.setVideoCodec(AV_CODEC_ID_MPEG2VIDEO); // fast, in every FFmpeg build, readable from any point
    recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
    recorder.setFrameRate(fps);
    recorder.setGopSize(Math.max(1, (int) Math.round(fps / 2))); // a late reader starts within half a second
    recorder.setVideoBitrate(Math.max(500_000, width * height * 3 * (int) Math.ceil(fps) / 4));
    if (url.startsWith("udp://")) {
      recorder.setOption("pkt_size", "1316");
    }
    recorder.start();
  }

  /** Encodes one packed RGB24 picture of the size given at start. */
  public void write(Mat rgb) throws FrameRecorder.Exception {
    recorder.record(toFrame.convert(rgb), AV_PIX_FMT_RGB24);
  }

  @Override
  public void close() {
    try {
      recorder.close();
    } catch (FrameRecorder.Exception e) {
      // the stream is gone either way
    }
    toFrame.close();
  }
}
