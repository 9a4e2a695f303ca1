package dev.ami.bench;

import dev.ami.runtime.ExitCodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Coverage over time as a PNG: one line per live run (curiosity in blue, the random policy in orange), and the
 * chance tool's p50 and p95 of the uniform random policy (grey) and of the persistent walk (green), dashed. Each
 * input file holds the last line of one {@code bench-explore} run (live or {@code --chance}).
 */
final class ExplorePlot {
  private static final Color CURIOSITY = new Color(0x1f77b4);
  private static final Color RANDOM = new Color(0xff7f0e);
  private static final Color UNIFORM = new Color(0x555555);
  private static final Color PERSISTENT = new Color(0x2ca02c);

  private ExplorePlot() {
  }

  static int draw(Path out, List<Path> results) throws IOException {
    if (results.isEmpty()) {
      System.err.println("ami: bench-explore --plot OUT.png needs at least one results file");
      return ExitCodes.CONFIG;
    }
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(1100).height(700).title("Cells visited in the built-in world")
        .xAxisTitle("minute").yAxisTitle("distinct floor cells visited").build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    chart.getStyler().setMarkerSize(0);
    int index = 0;
    for (Path file : results) {
      index++;
      JsonObject r = lastJsonLine(file);
      if (r == null) {
        System.err.println("ami: " + file + " holds no JSON line");
        return ExitCodes.CONFIG;
      }
      if (r.containsKey("uniform")) {
        band(chart, r, "uniform", UNIFORM);
        band(chart, r, "persistent", PERSISTENT);
      } else {
        run(chart, r, file, index);
      }
    }
    BitmapEncoder.saveBitmap(chart, out.toString(), BitmapEncoder.BitmapFormat.PNG);
    System.err.println("bench-explore: plotted " + results.size() + " results into " + out);
    return 0;
  }

  private static void run(XYChart chart, JsonObject r, Path file, int index) {
    JsonArray series = r.getJsonArray("series");
    List<Double> x = new ArrayList<>(List.of(0.0));
    List<Double> y = new ArrayList<>(List.of(0.0));
    for (int i = 0; i < series.size(); i++) {
      x.add(series.getJsonObject(i).getDouble("minute"));
      y.add(series.getJsonObject(i).getDouble("cells_visited"));
    }
    boolean random = "autoencoder".equals(r.getString("agent"));
    String name = index + ". " + (random ? "random policy" : r.getString("preset", "?")) + " seed "
        + r.getValue("seed") + " (" + file.getFileName() + ")"; // the index keeps two equal runs apart
    XYSeries s = chart.addSeries(name, x, y);
    s.setLineColor(random ? RANDOM : CURIOSITY);
    s.setMarker(SeriesMarkers.NONE);
  }

  private static void band(XYChart chart, JsonObject r, String policy, Color colour) {
    JsonObject p = r.getJsonObject(policy);
    for (String q : List.of("p50", "p95")) {
      JsonArray values = p.getJsonArray(q);
      List<Double> x = new ArrayList<>(List.of(0.0));
      List<Double> y = new ArrayList<>(List.of(0.0));
      for (int i = 0; i < values.size(); i++) {
        x.add((double) (i + 1));
        y.add(values.getDouble(i));
      }
      XYSeries s = chart.addSeries(policy + " chance " + q + " (" + r.getValue("runs") + " runs)", x, y);
      s.setLineColor(colour);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineStyle(q.equals("p50") ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {8f, 4f}, 0f) : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {2f, 3f}, 0f));
    }
  }

  /** The last line of the file that parses as a JSON object (a run's stdout may hold log lines before it). */
  static JsonObject lastJsonLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).trim();
      if (line.startsWith("{")) {
        try {
          return new JsonObject(line);
        } catch (RuntimeException notJson) {
          // keep looking upwards
        }
      }
    }
    return null;
  }
}
