package dev.signalbox.api;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** One message of a conversation; toolCallId and name are "" when absent. */
public record ChatMessage(
    Role role,
    List<ContentPart> content,
    List<ToolCall> toolCalls,
    String toolCallId,
    String name) {

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    content = List.copyOf(content);
    toolCalls = List.copyOf(toolCalls);
    Objects.requireNonNull(toolCallId, "toolCallId");
    Objects.requireNonNull(name, "name");
  }

  public static ChatMessage text(Role role, String text) {
    return new ChatMessage(role, List.of(new ContentPart.Text(text)), List.of(), "", "");
  }

  /** The text parts joined by newlines; images and other parts are left out. */
  public String text() {
    if (content.size() == 1 && content.get(0) instanceof ContentPart.Text t) {
      return t.text();
    }
    return content.stream()
        .filter(ContentPart.Text.class::isInstance)
        .map(p -> ((ContentPart.Text) p).text())
        .collect(Collectors.joining("\n"));
  }

  public boolean hasImage() {
    return content.stream().anyMatch(ContentPart.Image.class::isInstance);
  }
}
