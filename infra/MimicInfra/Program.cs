using MimicInfra.Cli;

return App.Run(args, new MimicInfra.Cli.Console(System.Console.Out, System.Console.Error));
