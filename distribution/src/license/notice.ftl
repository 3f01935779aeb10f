<#-- NOTICE of the release, written by license-maven-plugin's add-third-party from the dependency tree. -->
Indelible
Copyright 2026 The Indelible authors

Licensed under the Apache License, Version 2.0 (LICENSE).

lib/ bundles these ${dependencyMap?size} libraries, each under the licence named before it:

<#list dependencyMap as e>
<#assign project = e.getKey()/>
<#assign licenses = e.getValue()/>
  (<#list licenses as license>${license}<#sep> or </#sep></#list>) ${project.name!project.artifactId} (${project.groupId}:${project.artifactId}:${project.version}<#if project.url??> - ${project.url}</#if>)
</#list>
