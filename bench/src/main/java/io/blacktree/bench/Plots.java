package io.blacktree.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;

/** PNG plots drawn with java.awt in headless mode (no extra dependency). */
final class Plots {
  private static final int W = 900;
  private static final int H = 420;
  private static final int L = 70;
  private static final int R = 20;
  private static final int T = 40;
  private static final int B = 50;

  private final Path dir;
  private final List<String> written = new ArrayList<>();

  Plots(Path dir) {
    this.dir = dir;
    System.setProperty("java.awt.headless", "true");
  }

  List<String> written() {
    return List.copyOf(written);
  }

  /** Histogram of values (ms) in 40 bins, with p50/p95/p99 marked. */
  void histogram(String file, String title, List<Double> values) throws IOException {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    double max = v.get(v.size() - 1);
    double hi = Math.max(1, Stats.percentile(v, 99.5) * 1.1);
    hi = Math.min(hi, max);
    int bins = 40;
    int[] counts = new int[bins];
    for (double x : v) {
      counts[Math.min(bins - 1, (int) (x / hi * bins))]++;
    }
    int top = 1;
    for (int c : counts) {
      top = Math.max(top, c);
    }
    BufferedImage img = canvas();
    Graphics2D g = graphics(img, title);
    axes(g, 0, hi, "ms (last bin includes everything above)", 0, top, "jobs");
    g.setColor(new Color(70, 120, 190));
    double bw = (double) (W - L - R) / bins;
    for (int i = 0; i < bins; i++) {
      int h = (int) ((double) counts[i] / top * (H - T - B));
      g.fillRect(L + (int) (i * bw) + 1, H - B - h, Math.max(1, (int) bw - 2), h);
    }
    int[] ps = {50, 95, 99};
    Color[] cs = {new Color(0, 140, 0), new Color(220, 140, 0), new Color(200, 0, 0)};
    for (int i = 0; i < ps.length; i++) {
      double p = Stats.percentile(v, ps[i]);
      int x = L + (int) (Math.min(p, hi) / hi * (W - L - R));
      g.setColor(cs[i]);
      g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      g.drawLine(x, T, x, H - B);
      String label = "p" + ps[i] + " " + Math.round(p) + " ms";
      g.drawString(label, x > W - R - 110 ? x - 8 - g.getFontMetrics().stringWidth(label) : x + 4,
          T + 14 + 14 * i);
    }
    save(img, file);
  }

  /** Busy workers over time from [start, end] intervals (ms from t0), with the worker count as a line. */
  void busyWorkers(String file, String title, List<long[]> intervals, long makespan, int workers)
      throws IOException {
    long end = Math.max(makespan, 1);
    int steps = 600;
    int[] busy = new int[steps + 1];
    for (int i = 0; i <= steps; i++) {
      long t = end * i / steps;
      for (long[] iv : intervals) {
        if (iv[0] <= t && t < iv[1]) {
          busy[i]++;
        }
      }
    }
    BufferedImage img = canvas();
    Graphics2D g = graphics(img, title);
    axes(g, 0, end / 1000.0, "seconds since the first publish", 0, workers + 1, "busy workers");
    int plotH = H - T - B;
    g.setColor(Color.GRAY);
    int yw = H - B - (int) ((double) workers / (workers + 1) * plotH);
    g.drawLine(L, yw, W - R, yw);
    g.setColor(new Color(70, 120, 190));
    g.setStroke(new BasicStroke(2f));
    int px = L;
    int py = H - B;
    for (int i = 0; i <= steps; i++) {
      int x = L + (int) ((double) i / steps * (W - L - R));
      int y = H - B - (int) ((double) busy[i] / (workers + 1) * plotH);
      g.drawLine(px, py, x, py);
      g.drawLine(x, py, x, y);
      px = x;
      py = y;
    }
    save(img, file);
  }

  private static BufferedImage canvas() {
    return new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
  }

  private static Graphics2D graphics(BufferedImage img, String title) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, L, 22);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    return g;
  }

  private static void axes(Graphics2D g, double x0, double x1, String xLabel, double y0, double y1,
      String yLabel) {
    g.setColor(Color.BLACK);
    g.drawLine(L, H - B, W - R, H - B);
    g.drawLine(L, T, L, H - B);
    for (int i = 0; i <= 5; i++) {
      int x = L + (W - L - R) * i / 5;
      g.drawLine(x, H - B, x, H - B + 4);
      g.drawString(fmt(x0 + (x1 - x0) * i / 5), x - 10, H - B + 16);
      int y = H - B - (H - T - B) * i / 5;
      g.drawLine(L - 4, y, L, y);
      g.drawString(fmt(y0 + (y1 - y0) * i / 5), L - 40, y + 4);
    }
    g.drawString(xLabel, L + (W - L - R) / 2 - 80, H - 12);
    g.drawString(yLabel, 6, T - 8);
  }

  private static String fmt(double v) {
    return Math.abs(v) >= 10 || v == Math.rint(v) ? Long.toString(Math.round(v)) : String.format("%.1f", v);
  }

  private void save(BufferedImage img, String file) throws IOException {
    ImageIO.write(img, "png", dir.resolve(file).toFile());
    written.add(file);
  }
}
