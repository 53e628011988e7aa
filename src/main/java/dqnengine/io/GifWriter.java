package dqnengine.io;

import dqnengine.util.AtomicFiles;
import dqnengine.util.IoReasons;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An animated GIF through the JDK's own GIF encoder: every frame carries a Graphic Control
 * Extension with its delay, and the first a NETSCAPE2.0 application extension that loops the
 * animation forever (the GIF89a conventions browsers follow).
 */
public final class GifWriter implements AutoCloseable {
    private final ImageWriter writer;
    private final ImageOutputStream stream;
    private final int delayCentiseconds;
    private final Path file, tmp;
    private boolean first = true, ok;

    public GifWriter(Path file, int delayMillis) throws IOException {
        this.file = file;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        this.tmp = AtomicFiles.newTempFile(dir, "." + file.getFileName() + ".");
        this.writer = ImageIO.getImageWritersByFormatName("gif").next();
        this.stream = ImageIO.createImageOutputStream(tmp.toFile());
        writer.setOutput(stream);
        writer.prepareWriteSequence(null);
        this.delayCentiseconds = Math.max(1, delayMillis / 10);
    }

    public void add(BufferedImage frame) throws IOException {
        BufferedImage rgb = frame;
        if (frame.getType() != BufferedImage.TYPE_INT_RGB) {
            rgb = new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(frame, 0, 0, null);
        }
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(rgb), null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(delayCentiseconds));
        gce.setAttribute("transparentColorIndex", "0");
        if (first) {
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0});                // sub-block 1: loop count 0 = forever
            apps.appendChild(app);
            first = false;
        }
        meta.setFromTree(format, root);
        writer.writeToSequence(new IIOImage(rgb, null, meta), null);
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) root.item(i);
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }

    /** Marks the file complete: {@link #close} then moves it into place (otherwise it is discarded). */
    public void finish() { ok = true; }

    @Override
    public void close() throws IOException {
        try {
            writer.endWriteSequence();
            stream.close();
            writer.dispose();
            if (ok) {
                try {
                    AtomicFiles.move(tmp, file);
                } catch (IOException e) {
                    throw new IOException("cannot write the GIF to " + file + ": " + IoReasons.of(e), e);
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
