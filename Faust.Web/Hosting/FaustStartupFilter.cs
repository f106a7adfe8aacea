using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Faust.Web.Hosting;

// Wraps the whole pipeline, ahead of the app's own middleware: unhandled exceptions and bodiless error statuses
// (an unknown route's 404) become ProblemDetails, and the Swagger UI is served at /swagger.
internal sealed class FaustStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSwaggerUI();
        next(app);
    };
}
