package dev.signalbox.eval.report;

import dev.signalbox.eval.EvalReport;
import dev.signalbox.eval.PolicyEvaluation;
import dev.signalbox.eval.metrics.CurvePoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * An HTML report with the results table and the charts (the quality-cost frontier of every policy
 * and baseline; for two-model data also quality against strong-model share), and the same charts as
 * PNG files beside it.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** Writes {@code index.html} and the PNG charts into {@code dir}; returns the HTML file. */
  public static Path write(EvalReport report, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    List<Path> charts = new ArrayList<>();
    charts.add(save(costChart(report), dir.resolve("quality-cost.png")));
    if (!report.strong().isEmpty()) {
      charts.add(save(shareChart(report), dir.resolve("quality-strong-share.png")));
    }
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Signalbox eval: ")
        .append(escape(report.dataset()))
        .append(
            "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px"
                + " solid #ccc;padding:2px"
                + " 6px;text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body>");
    html.append("<h1>")
        .append(escape(report.dataset()))
        .append("</h1><p>")
        .append(report.prompts())
        .append(" prompts from ")
        .append(escape(report.source()))
        .append(", split ")
        .append(escape(report.split()))
        .append(", seed ")
        .append(report.seed())
        .append("</p><ul>");
    report.notes().forEach(n -> html.append("<li>").append(escape(n)).append("</li>"));
    html.append("</ul><h2>Results</h2><pre>");
    StringWriter table = new StringWriter();
    TableReport.print(report, new PrintWriter(table));
    html.append(escape(table.toString())).append("</pre><h2>Charts</h2>");
    for (Path chart : charts) {
      html.append("<p><img alt=\"")
          .append(chart.getFileName())
          .append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(Files.readAllBytes(chart)))
          .append("\"></p>");
    }
    html.append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Files.writeString(index, html, StandardCharsets.UTF_8);
    return index;
  }

  private static XYChart costChart(EvalReport report) {
    XYChart chart = chart("Quality-cost frontier: " + report.dataset(), "USD per 1,000 prompts");
    for (PolicyEvaluation p : report.policies()) {
      List<double[]> frontier = p.frontier();
      addSeries(
          chart,
          p.name(),
          frontier.stream().map(c -> c[0] * 1000).toList(),
          frontier.stream().map(c -> c[1]).toList());
    }
    return chart;
  }

  private static XYChart shareChart(EvalReport report) {
    XYChart chart =
        chart(
            "Quality against strong-model share: " + report.dataset(),
            "calls to " + report.strong() + " (%)");
    for (PolicyEvaluation p : report.policies()) {
      List<CurvePoint> points =
          p.points().stream().sorted(Comparator.comparingDouble(CurvePoint::strongShare)).toList();
      addSeries(
          chart,
          p.name(),
          points.stream().map(c -> c.strongShare() * 100).toList(),
          points.stream().map(CurvePoint::quality).toList());
    }
    return chart;
  }

  private static XYChart chart(String title, String xAxis) {
    XYChart chart =
        new XYChartBuilder()
            .width(1000)
            .height(700)
            .title(title)
            .xAxisTitle(xAxis)
            .yAxisTitle("mean quality")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  /** A policy's curve; a policy of one point is drawn as a dot. */
  private static void addSeries(XYChart chart, String name, List<Double> x, List<Double> y) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.CIRCLE);
    if (x.size() == 1) {
      series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
  }

  private static Path save(XYChart chart, Path file) throws IOException {
    java.nio.file.Files.write(
        file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    return file;
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
