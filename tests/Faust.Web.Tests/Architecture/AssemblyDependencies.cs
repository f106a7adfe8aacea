using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Faust.Web.Tests.Architecture;

// Reads which namespaces each type of an assembly uses, from its IL: base types, interfaces, fields, properties,
// events, signatures, generic constraints, attributes, locals and every instruction's operand. Nested and
// compiler-generated types (closures, state machines) count as their outermost declaring type.
internal static class AssemblyDependencies
{
    /// <summary>The graph of the namespaces of <paramref name="assemblyPath"/>'s types and of the types they use that
    /// are defined in assemblies whose names start with <paramref name="ownedPrefix"/>.</summary>
    public static DependencyGraph Read(string assemblyPath, string ownedPrefix, DependencyGraph? into = null)
    {
        var graph = into ?? new DependencyGraph();
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var owner = Outermost(type);
            if (owner.Name == "<Module>" || owner.Namespace.Length == 0)
            {
                continue;
            }

            var from = owner.Namespace;
            graph.AddNode(from);
            var visitor = new Visitor(graph, from, owner.FullName, ownedPrefix);
            visitor.Visit(type);
        }

        return graph;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type;
    }

    private sealed class Visitor(DependencyGraph graph, string from, string fromName, string ownedPrefix)
    {
        public void Visit(TypeDefinition type)
        {
            Use(type.BaseType);
            foreach (var i in type.Interfaces)
            {
                Use(i.InterfaceType);
            }

            Attributes(type);
            foreach (var parameter in type.GenericParameters)
            {
                Constraints(parameter);
            }

            foreach (var field in type.Fields)
            {
                Use(field.FieldType);
                Attributes(field);
            }

            foreach (var property in type.Properties)
            {
                Use(property.PropertyType);
                Attributes(property);
            }

            foreach (var e in type.Events)
            {
                Use(e.EventType);
            }

            foreach (var method in type.Methods)
            {
                Method(method);
            }
        }

        private void Method(MethodDefinition method)
        {
            Use(method.ReturnType);
            Attributes(method);
            foreach (var parameter in method.Parameters)
            {
                Use(parameter.ParameterType);
            }

            foreach (var parameter in method.GenericParameters)
            {
                Constraints(parameter);
            }

            if (!method.HasBody)
            {
                return;
            }

            foreach (var local in method.Body.Variables)
            {
                Use(local.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference type:
                        Use(type);
                        break;
                    case MethodReference called:
                        Use(called.DeclaringType);
                        Use(called.ReturnType);
                        foreach (var parameter in called.Parameters)
                        {
                            Use(parameter.ParameterType);
                        }

                        if (called is GenericInstanceMethod generic)
                        {
                            foreach (var argument in generic.GenericArguments)
                            {
                                Use(argument);
                            }
                        }

                        break;
                    case FieldReference field:
                        Use(field.DeclaringType);
                        Use(field.FieldType);
                        break;
                }
            }
        }

        private void Constraints(GenericParameter parameter)
        {
            foreach (var constraint in parameter.Constraints)
            {
                Use(constraint.ConstraintType);
            }
        }

        private void Attributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Use(attribute.AttributeType);
            }
        }

        private void Use(TypeReference? type)
        {
            switch (type)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType generic:
                    Use(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Use(argument);
                    }

                    return;
                case TypeSpecification specification:
                    Use(specification.ElementType);
                    return;
            }

            var scope = type.Scope switch
            {
                ModuleDefinition module => module.Assembly.Name.Name,
                AssemblyNameReference name => name.Name,
                _ => null,
            };
            if (scope is null || !scope.StartsWith(ownedPrefix, StringComparison.Ordinal))
            {
                return;
            }

            var target = Outermost(type);
            if (target.Namespace.Length > 0)
            {
                graph.Add(from, target.Namespace, $"{fromName} -> {target.FullName}");
            }
        }
    }
}
