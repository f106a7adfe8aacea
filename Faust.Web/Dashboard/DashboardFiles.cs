using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;

namespace Faust.Web.Dashboard;

// Where the dashboard's static files are: the host's web root when it holds the dashboard (dotnet run from the
// repository serves wwwroot/ as edited), else the copy Faust.Web puts beside its binaries (tests, published
// servers, apps that reference Faust.Web). Null when neither exists: / then says so instead of failing.
internal sealed class DashboardFiles
{
    public const string IndexFile = "index.html";

    public DashboardFiles(IWebHostEnvironment environment)
    {
        if (environment.WebRootFileProvider.GetFileInfo(IndexFile).Exists)
        {
            Provider = environment.WebRootFileProvider;
            return;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (File.Exists(Path.Combine(beside, IndexFile)))
        {
            Provider = new PhysicalFileProvider(beside);
        }
    }

    public IFileProvider? Provider { get; }
}
