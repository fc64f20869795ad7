package io.blacktree.e2e.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws a run's timeline as a PNG (java2d, headless): jobs in flight over time as a line, each fault as a
 * shaded band (its colour by kind) from injection until the component was back, with a legend of the kinds the
 * run injected.
 */
final class SoakPlot {
  private static final int W = 1200;
  private static final int H = 520;
  private static final int LEFT = 70;
  private static final int RIGHT = 230;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;
  private static final Color[] KIND_COLOURS = {
      new Color(230, 85, 13), new Color(49, 130, 189), new Color(117, 107, 177), new Color(49, 163, 84),
      new Color(214, 39, 40), new Color(140, 86, 75), new Color(188, 189, 34)};

  private SoakPlot() {}

  /** A colour for each kind of fault the run injected, in the kinds' order: distinct for up to seven kinds. */
  private static Map<FaultKind, Color> coloursOf(List<Timeline.Fault> faults) {
    Map<FaultKind, Color> colours = new EnumMap<>(FaultKind.class);
    faults.stream().map(Timeline.Fault::kind).distinct().sorted()
        .forEach(k -> colours.put(k, KIND_COLOURS[colours.size() % KIND_COLOURS.length]));
    return colours;
  }

  static void write(Timeline timeline, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Timeline.Sample> samples = timeline.samples();
    List<Timeline.Fault> faults = timeline.faults();
    Map<FaultKind, Color> colours = coloursOf(faults);
    long endMillis = Math.max(1, samples.isEmpty() ? 1 : samples.get(samples.size() - 1).atMillis());
    int maxY = Math.max(1, samples.stream().mapToInt(Timeline.Sample::inFlight).max().orElse(1));
    maxY = ((maxY + 4) / 5) * 5;
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    for (Timeline.Fault f : faults) {
      Color c = colours.get(f.kind());
      g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 70));
      int x0 = LEFT + (int) (plotW * f.startMillis() / endMillis);
      int x1 = Math.max(x0 + 2, LEFT + (int) (plotW * Math.min(endMillis, f.endMillis()) / endMillis));
      g.fillRect(x0, TOP, x1 - x0, plotH);
      g.setColor(c);
      g.fillRect(x0, TOP, 2, plotH);
    }
    g.setColor(Color.DARK_GRAY);
    g.drawRect(LEFT, TOP, plotW, plotH);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i <= 5; i++) {
      int y = TOP + plotH - plotH * i / 5;
      g.drawString(Integer.toString(maxY * i / 5), LEFT - 35, y + 4);
      g.setColor(new Color(230, 230, 230));
      g.drawLine(LEFT + 1, y, LEFT + plotW - 1, y);
      g.setColor(Color.DARK_GRAY);
    }
    long minutes = Math.max(1, endMillis / 60_000);
    long step = minutes <= 10 ? 1 : minutes <= 40 ? 5 : 10;
    for (long m = 0; m * 60_000 <= endMillis; m += step) {
      int x = LEFT + (int) (plotW * m * 60_000 / endMillis);
      g.drawLine(x, TOP + plotH, x, TOP + plotH + 5);
      g.drawString(m + "m", x - 8, TOP + plotH + 20);
    }
    g.drawString("time since start", LEFT + plotW / 2 - 40, H - 10);
    g.drawString("jobs in flight", 5, TOP - 10);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT + 120, 22);
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(2f));
    int px = -1;
    int py = -1;
    for (Timeline.Sample s : samples) {
      int x = LEFT + (int) (plotW * s.atMillis() / endMillis);
      int y = TOP + plotH - plotH * s.inFlight() / maxY;
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
    g.setStroke(new BasicStroke(1f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int ly = TOP + 10;
    g.setColor(Color.BLACK);
    g.fillRect(W - RIGHT + 15, ly - 5, 20, 3);
    g.drawString("jobs in flight", W - RIGHT + 42, ly);
    for (FaultKind k : colours.keySet()) {
      ly += 20;
      long n = faults.stream().filter(f -> f.kind() == k).count();
      g.setColor(colours.get(k));
      g.fillRect(W - RIGHT + 15, ly - 10, 20, 12);
      g.setColor(Color.DARK_GRAY);
      g.drawString(k.name().toLowerCase().replace('_', '-') + " (" + n + ")", W - RIGHT + 42, ly);
    }
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    ImageIO.write(img, "png", png.toFile());
  }
}
