using Spectre.Console;
using Spectre.Console.Rendering;

namespace MimicInfra.Cli;

/// <summary>A mistake in what the user asked for or configured: printed as one clear message, exit code 2.</summary>
public sealed class UserError(string message) : Exception(message);

/// <summary>The program's two output streams. Commands write only here, so tests can capture them.</summary>
public sealed class Console(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>Runs a command body, turning user errors into a message on stderr and exit code 2.</summary>
    public int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UserError e)
        {
            Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (MimicInfra.Catalog.CatalogException e)
        {
            Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be read (a folder, no permission, a device) is the user's to fix, not a crash.
            Error.WriteLine($"error: {e.Message} Check the path and its permissions.");
            return 2;
        }
    }

    /// <summary>A plain table (no colour, no terminal width guesses), so output is the same everywhere.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Spectre.Console.Table().Border(TableBorder.Simple);
        foreach (var h in headers) table.AddColumn(new TableColumn(Markup.Escape(h)));
        foreach (var row in rows) table.AddRow(row.Select(c => (IRenderable)new Text(c)).ToArray());
        Render(table);
    }

    public void Render(IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Out),
        });
        console.Profile.Width = 160;
        console.Write(renderable);
    }
}
