@echo off
rem The quadraxis command line, as installed with the desktop app. It runs on the Node.js on your PATH:
rem the app's own Electron is sealed (its RunAsNode fuse is off).
where node >nul 2>nul
if errorlevel 1 (
  echo quadraxis: the command line needs Node.js 20.19 or newer on the PATH ^(the desktop app does not^). 1>&2
  exit /b 9009
)
node "%~dp0quadraxis.cjs" %*
