using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Social.Api.Data.Migrations
{
    /// <summary>
    /// Failed-login counts for the per-account lockout. A table of our own: the original never
    /// reads it, and deleting a user removes its row.
    /// </summary>
    public partial class LoginLockouts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "login_lockouts",
                columns: table => new
                {
                    user_id = table.Column<int>(type: "integer", nullable: false),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    locked_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("login_lockouts_pkey", x => x.user_id);
                    table.ForeignKey(
                        name: "login_lockouts_user_id_fkey",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "login_lockouts");
        }
    }
}
