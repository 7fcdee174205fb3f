; Inno Setup script: a per-user installer of the built app (build.spec's dist\fieldapp folder),
; for commune PCs with no administrator at hand. Build on Windows with
;     iscc /DAppVersion=0.1.0 /DSource=build\dist\fieldapp installer\fieldapp.iss
; (.github/workflows/windows.yml does). No admin rights: it installs into
; %LOCALAPPDATA%\Programs\fieldapp and the user's Start menu.
;
; The data (databases, keyrings, backups, the commune's forms and packs) lives in
; %LOCALAPPDATA%\fieldapp, another folder: installing a newer version over an older one, or
; uninstalling, never touches it. The new version's first start backs the database up and
; migrates it; an older version refuses a database a newer one migrated.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef Source
  #define Source "..\build\dist\fieldapp"
#endif

[Setup]
; The same AppId for every version: a newer installer replaces the older app in place.
AppId={{6F1C2A4E-9B1D-4E57-A7C3-2D9E5B0F4A61}
AppName=fieldapp
AppVersion={#AppVersion}
AppPublisher=fieldapp
DefaultDirName={localappdata}\Programs\fieldapp
DefaultGroupName=fieldapp
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\build
OutputBaseFilename=fieldapp-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\fieldapp.exe
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; Files of the older version that the newer one no longer ships (never the data folder).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Source}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\fieldapp"; Filename: "{app}\fieldapp.exe"
Name: "{userprograms}\fieldapp (self-check)"; Filename: "{app}\fieldapp.exe"; Parameters: "--self-check"
Name: "{userdesktop}\fieldapp"; Filename: "{app}\fieldapp.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\fieldapp.exe"; Description: "{cm:LaunchProgram,fieldapp}"; Flags: nowait postinstall skipifsilent
