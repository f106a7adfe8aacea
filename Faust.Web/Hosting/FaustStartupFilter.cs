using Faust.Web.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Faust.Web.Hosting;

// Wraps the whole pipeline, ahead of the app's own middleware: unhandled exceptions and bodiless error statuses
// (an unknown route's 404) become ProblemDetails, requests marked as forwarded must carry the cluster secret (when
// one is set), the Swagger UI is served at /swagger and the dashboard's static
// files (css/, js/, vendor/) from wherever DashboardFiles found them; its index is the endpoint at /.
internal sealed class FaustStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<Routing.ClusterSecretMiddleware>();
        app.UseSwaggerUI();
        if (app.ApplicationServices.GetRequiredService<DashboardFiles>().Provider is { } files)
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            });
        }

        next(app);
    };
}
